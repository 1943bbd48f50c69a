package flows

import (
	"net/netip"
	"strings"
)

// Addresses no flow may reach, whatever the server's outbound policy: a flow is written by a
// user of the editor, and a request to the cloud provider's metadata service would hand them
// the machine's credentials. The server enforces this on the address actually dialled (so DNS
// answers and redirects are covered); validation refuses the literal ones early.

// DeniedError is a request the outbound policy refused: the step fails at once, without retries.
type DeniedError struct {
	Host     string // as written in the URL
	Address  string // the IP the name resolved to
	Reason   string
	ReasonRu string
}

func (e *DeniedError) Error() string {
	return "the address " + e.Address + " of " + e.Host + " is " + e.Reason + "; hookflow does not send requests there"
}

// cloudMetadata are the instance-metadata endpoints of the clouds hookflow may run on (AWS,
// GCP, Azure, OpenStack, DigitalOcean and Oracle use 169.254.169.254, already link-local).
var cloudMetadata = []netip.Addr{
	netip.MustParseAddr("fd00:ec2::254"),   // AWS over IPv6
	netip.MustParseAddr("100.100.100.200"), // Alibaba Cloud
	netip.MustParseAddr("168.63.129.16"),   // Azure wire server
	netip.MustParseAddr("169.254.169.254"),
	netip.MustParseAddr("169.254.170.2"), // AWS ECS task credentials
}

// cloudMetadataHosts are names that resolve to metadata services inside those clouds.
var cloudMetadataHosts = []string{"metadata.google.internal", "metadata.goog", "metadata", "instance-data"}

// IPv6 ranges whose addresses carry an IPv4 address: a request to one of them reaches (through a
// translator, a tunnel or the kernel) the IPv4 address inside, which is what must be judged.
var (
	ipv4Compatible = netip.MustParsePrefix("::/96")           // deprecated ::a.b.c.d
	ipv4Translated = netip.MustParsePrefix("::ffff:0:0:0/96") // SIIT ::ffff:0:a.b.c.d
	nat64WellKnown = netip.MustParsePrefix("64:ff9b::/96")    // NAT64, always the last 32 bits
	nat64Local     = netip.MustParsePrefix("64:ff9b:1::/48")  // NAT64 local use, /48 to /96 inside
	sixToFour      = netip.MustParsePrefix("2002::/16")       // 6to4: 2002:AABB:CCDD::
	teredo         = netip.MustParsePrefix("2001::/32")       // server IPv4, then the client's, inverted
)

// EmbeddedIPv4 returns the IPv4 addresses an IPv6 address carries: IPv4-mapped (::ffff:a.b.c.d),
// IPv4-compatible (::a.b.c.d), SIIT (::ffff:0:a.b.c.d), NAT64 (64:ff9b::/96 and the local-use
// 64:ff9b:1::/48), 6to4 (2002::/16) and Teredo (2001::/32: its server and its client, whose
// address is stored inverted). Plain IPv6 and IPv4 addresses carry none.
func EmbeddedIPv4(ip netip.Addr) []netip.Addr {
	if ip.Is4In6() {
		return []netip.Addr{ip.Unmap()}
	}
	if !ip.Is6() {
		return nil
	}
	b := ip.As16()
	v4 := func(i, j, k, l int) netip.Addr { return netip.AddrFrom4([4]byte{b[i], b[j], b[k], b[l]}) }
	zero := func(from int) bool {
		for _, x := range b[from:] {
			if x != 0 {
				return false
			}
		}
		return true
	}
	switch {
	case ip == netip.IPv6Unspecified() || ip == netip.IPv6Loopback():
		return nil // :: and ::1 are IPv6's own, not IPv4-compatible addresses
	case ipv4Compatible.Contains(ip), ipv4Translated.Contains(ip), nat64WellKnown.Contains(ip):
		return []netip.Addr{v4(12, 13, 14, 15)}
	case nat64Local.Contains(ip):
		// The operator picks the prefix length (RFC 6052: /48, /56, /64 or /96 here), and with it
		// where the IPv4 address sits, skipping bits 64-71. Every placement whose trailing bits
		// are zero, as the RFC requires, is a candidate; 0.0.0.0 is the empty placement of
		// another length, not an address.
		var out []netip.Addr
		for _, c := range []struct {
			idx   [4]int
			zeros int
		}{{[4]int{6, 7, 9, 10}, 11}, {[4]int{7, 9, 10, 11}, 12}, {[4]int{9, 10, 11, 12}, 13}, {[4]int{12, 13, 14, 15}, 16}} {
			if a := v4(c.idx[0], c.idx[1], c.idx[2], c.idx[3]); zero(c.zeros) && a != netip.IPv4Unspecified() {
				out = append(out, a)
			}
		}
		return out
	case sixToFour.Contains(ip):
		return []netip.Addr{v4(2, 3, 4, 5)}
	case teredo.Contains(ip):
		client := v4(12, 13, 14, 15).As4()
		for i := range client {
			client[i] ^= 0xff
		}
		return []netip.Addr{netip.AddrFrom4(client), v4(4, 5, 6, 7)}
	}
	return nil
}

// Judge says why one address may not be reached, in English and Russian.
type Judge func(ip netip.Addr) (reason, reasonRu string, denied bool)

// Deny applies judge to ip and to every IPv4 address it carries (EmbeddedIPv4), and returns the
// first refusal, naming the address judged and, when it was carried inside, the IPv6 address
// it came in. Everything that checks a dialled address goes through here, so that all checks
// see the same wrapped addresses.
func Deny(host string, ip netip.Addr, judge Judge) *DeniedError {
	if ip.Is4In6() { // the kernel dials ::ffff:a.b.c.d as plain IPv4: nothing to say about it
		ip = ip.Unmap()
	}
	if reason, ru, denied := judge(ip); denied {
		return &DeniedError{Host: host, Address: ip.String(), Reason: reason, ReasonRu: ru}
	}
	for _, inner := range EmbeddedIPv4(ip) {
		if reason, ru, denied := judge(inner); denied {
			return &DeniedError{Host: host, Address: inner.String(),
				Reason:   reason + ", wrapped in the IPv6 address " + ip.String(),
				ReasonRu: ru + ", завёрнутый в IPv6-адрес " + ip.String()}
		}
	}
	return nil
}

// AlwaysDenied says why ip itself may never be reached by a flow, in English and Russian. It
// is a Judge: pass it to Deny, which also judges the IPv4 addresses ip carries.
func AlwaysDenied(ip netip.Addr) (reason, reasonRu string, denied bool) {
	for _, m := range cloudMetadata {
		if ip == m {
			return "a cloud metadata service", "служебный адрес облака (metadata)", true
		}
	}
	if ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() {
		return "a link-local address", "локальный адрес канала (link-local)", true
	}
	return "", "", false
}

// literalDenied checks a URL's host as written: an IP in the always-denied ranges or a metadata
// service's name.
func literalDenied(host string) (reason, reasonRu string, denied bool) {
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if ip, err := netip.ParseAddr(host); err == nil {
		if d := Deny(host, ip, AlwaysDenied); d != nil {
			return d.Reason, d.ReasonRu, true
		}
		return "", "", false
	}
	for _, h := range cloudMetadataHosts {
		if host == h {
			return "a cloud metadata service", "служебный адрес облака (metadata)", true
		}
	}
	return "", "", false
}
