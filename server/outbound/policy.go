package outbound

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"

	"github.com/hookflow/hookflow/flows"
)

// Policy says where flows may send requests. Link-local and cloud metadata addresses are always
// refused (flows.AlwaysDenied); Strict also refuses loopback, private, carrier-grade NAT and
// unique-local addresses, except the hosts and networks on the allow-list.
type Policy struct {
	Strict bool
	// AllowHosts are host names (exact, or "*.example.com" for its subdomains) exempt from Strict.
	AllowHosts []string
	// AllowNets are networks exempt from Strict.
	AllowNets []netip.Prefix
	// Resolver looks host names up (nil: the system's).
	Resolver *net.Resolver
}

// strictRanges are what Strict mode refuses beyond the always-denied ones.
var strictRanges = []struct {
	prefix       netip.Prefix
	reason, ruRu string
}{
	{netip.MustParsePrefix("127.0.0.0/8"), "a loopback address (this machine)", "адрес этой же машины (loopback)"},
	{netip.MustParsePrefix("::1/128"), "a loopback address (this machine)", "адрес этой же машины (loopback)"},
	{netip.MustParsePrefix("0.0.0.0/8"), "an unspecified address (this machine)", "неопределённый адрес (эта же машина)"},
	{netip.MustParsePrefix("::/128"), "an unspecified address (this machine)", "неопределённый адрес (эта же машина)"},
	{netip.MustParsePrefix("10.0.0.0/8"), "a private network address", "адрес частной сети"},
	{netip.MustParsePrefix("172.16.0.0/12"), "a private network address", "адрес частной сети"},
	{netip.MustParsePrefix("192.168.0.0/16"), "a private network address", "адрес частной сети"},
	{netip.MustParsePrefix("100.64.0.0/10"), "a carrier-grade NAT address", "адрес NAT провайдера (CGNAT)"},
	{netip.MustParsePrefix("fc00::/7"), "a unique-local (private) IPv6 address", "частный IPv6-адрес (unique-local)"},
}

// ParseAllow reads an allow-list: entries separated by commas or spaces, each an IP, a CIDR
// network or a host name ("*.example.com" for subdomains).
func ParseAllow(s string) (hosts []string, nets []netip.Prefix, err error) {
	for _, item := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
		switch {
		case strings.Contains(item, "/"):
			p, err := netip.ParsePrefix(item)
			if err != nil {
				return nil, nil, fmt.Errorf("outbound allow-list: %q is not a network like 10.0.0.0/8: %w", item, err)
			}
			nets = append(nets, p.Masked())
		default:
			if ip, err := netip.ParseAddr(strings.Trim(item, "[]")); err == nil {
				nets = append(nets, netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()))
				continue
			}
			name := strings.TrimSuffix(strings.ToLower(item), ".")
			if strings.ContainsAny(name, ":@?#") || strings.Trim(name, "*.") == "" {
				return nil, nil, fmt.Errorf("outbound allow-list: %q is neither a host name, an IP nor a network", item)
			}
			hosts = append(hosts, name)
		}
	}
	return hosts, nets, nil
}

// Check refuses ip, reached for host, when the policy does not allow it. An IPv6 address that
// carries an IPv4 one (NAT64, 6to4, Teredo, IPv4-compatible…) is judged by both: the IPv4
// address inside is what the request really reaches.
func (p *Policy) Check(host string, ip netip.Addr) error {
	if d := flows.Deny(host, ip, flows.AlwaysDenied); d != nil {
		return d
	}
	if !p.Strict || p.hostAllowed(host) || p.netAllowed(ip.Unmap()) {
		return nil
	}
	if d := flows.Deny(host, ip, p.strictDenied); d != nil {
		return d
	}
	return nil
}

// strictDenied judges one address in Strict mode: the allow-listed networks pass, the strict
// ranges do not.
func (p *Policy) strictDenied(ip netip.Addr) (reason, reasonRu string, denied bool) {
	if p.netAllowed(ip) {
		return "", "", false
	}
	for _, r := range strictRanges {
		if r.prefix.Contains(ip) {
			return r.reason, r.ruRu, true
		}
	}
	return "", "", false
}

func (p *Policy) netAllowed(ip netip.Addr) bool {
	for _, n := range p.AllowNets {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

func (p *Policy) hostAllowed(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	for _, h := range p.AllowHosts {
		if h == host || (strings.HasPrefix(h, "*.") && strings.HasSuffix(host, h[1:])) {
			return true
		}
	}
	return false
}

// DialContext dials like net.Dialer but checks every address it is about to connect to.
func (p *Policy) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	d := &net.Dialer{
		Timeout:   30 * time.Second,
		KeepAlive: 30 * time.Second,
		Resolver:  p.Resolver,
		// Control runs after the name is resolved, for each address tried: the policy judges
		// what is really connected to, not what the URL says.
		Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("outbound: unexpected address %q: %w", address, err)
			}
			return p.Check(host, ap.Addr())
		},
	}
	return d.DialContext(ctx, network, addr)
}

// Client is the HTTP client flows send with on the server: the policy on every dial, no proxy
// from the environment (a proxy would hide the real target from the check), bounded timeouts.
func (p *Policy) Client() *http.Client {
	return &http.Client{
		Timeout: 2 * time.Minute,
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           p.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          100,
			MaxIdleConnsPerHost:   16,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 2 * time.Minute,
		},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return fmt.Errorf("stopped after 10 redirects")
			}
			return nil
		},
	}
}
