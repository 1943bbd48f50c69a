package outbound_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/outbound"
)

func TestCheck_AlwaysDeniedStrictAndAllowList(t *testing.T) {
	hosts, nets, err := outbound.ParseAllow("crm.internal, *.corp.example, 10.1.0.0/16, 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	open := &outbound.Policy{}
	strict := &outbound.Policy{Strict: true}
	allowing := &outbound.Policy{Strict: true, AllowHosts: hosts, AllowNets: nets}
	cases := []struct {
		name   string
		policy *outbound.Policy
		host   string
		ip     string
		denied string // part of the reason, "" when allowed
	}{
		{"metadata IPv4", open, "x", "169.254.169.254", "metadata"},
		{"metadata IPv4-mapped IPv6", open, "x", "::ffff:169.254.169.254", "metadata"},
		{"metadata via NAT64", open, "x", "64:ff9b::a9fe:a9fe", "metadata"},
		{"AWS IPv6 metadata", open, "x", "fd00:ec2::254", "metadata"},
		{"Alibaba metadata", open, "x", "100.100.100.200", "metadata"},
		{"link-local IPv4", open, "x", "169.254.1.1", "link-local"},
		{"link-local IPv6", open, "x", "fe80::1", "link-local"},
		{"metadata even when allow-listed", allowing, "crm.internal", "169.254.169.254", "metadata"},
		{"public address", strict, "x", "93.184.216.34", ""},
		{"loopback allowed by default", open, "x", "127.0.0.1", ""},
		{"private allowed by default", open, "x", "10.0.0.5", ""},
		{"strict loopback", strict, "x", "127.0.0.1", "loopback"},
		{"strict IPv6 loopback", strict, "x", "::1", "loopback"},
		{"strict private", strict, "x", "192.168.1.10", "private"},
		{"strict CGNAT", strict, "x", "100.64.3.4", "carrier-grade NAT"},
		{"strict unique-local", strict, "x", "fd12::1", "unique-local"},
		{"strict unspecified", strict, "x", "0.0.0.0", "unspecified"},
		{"allow-listed network", allowing, "x", "10.1.2.3", ""},
		{"outside the allow-listed network", allowing, "x", "10.2.0.1", "private"},
		{"allow-listed IP", allowing, "x", "127.0.0.1", ""},
		{"allow-listed host", allowing, "crm.internal", "192.168.5.5", ""},
		{"allow-listed subdomain", allowing, "a.corp.example", "172.16.0.9", ""},
		{"not the parent of a wildcard", allowing, "evilcorp.example", "172.16.0.9", "private"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.policy.Check(tc.host, netip.MustParseAddr(tc.ip))
			if tc.denied == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.denied) {
				t.Fatalf("got %v, want a refusal mentioning %q", err, tc.denied)
			}
		})
	}
}

// Every way an IPv6 address carries an IPv4 one: the request reaches the IPv4 address inside, so
// strict mode and the metadata check judge that address and name it.
var wrappedIPv4 = []struct {
	name, loopback, private, metadata string // each wraps 127.0.0.1, 192.168.1.1, 169.254.169.254
}{
	{"IPv4-mapped", "::ffff:127.0.0.1", "::ffff:192.168.1.1", "::ffff:169.254.169.254"},
	{"IPv4-compatible", "::127.0.0.1", "::c0a8:101", "::169.254.169.254"},
	{"SIIT translated", "::ffff:0:7f00:1", "::ffff:0:c0a8:101", "::ffff:0:a9fe:a9fe"},
	{"NAT64 well-known prefix", "64:ff9b::7f00:1", "64:ff9b::192.168.1.1", "64:ff9b::a9fe:a9fe"},
	{"NAT64 local-use /96", "64:ff9b:1::7f00:1", "64:ff9b:1:0:0:0:c0a8:101", "64:ff9b:1::a9fe:a9fe"},
	{"NAT64 local-use /96 with a subnet", "64:ff9b:1:ab:cd:ef:7f00:1", "64:ff9b:1:ab:cd:ef:c0a8:101", "64:ff9b:1:ab:cd:ef:a9fe:a9fe"},
	{"NAT64 local-use /48", "64:ff9b:1:7f00:0:100::", "64:ff9b:1:c0a8:1:100::", "64:ff9b:1:a9fe:a9:fe00::"},
	{"NAT64 local-use /56", "64:ff9b:1:7f:0:1::", "64:ff9b:1:c0:a8:101::", "64:ff9b:1:a9:fe:a9fe::"},
	{"NAT64 local-use /64", "64:ff9b:1:0:7f:0:100:0", "64:ff9b:1:0:c0:a801:100:0", "64:ff9b:1:0:a9:fea9:fe00:0"},
	{"6to4", "2002:7f00:1::1", "2002:c0a8:101::1", "2002:a9fe:a9fe::1"},
	// Teredo: 2001:0:<server IPv4>:<flags>:<port>:<client IPv4 with every bit inverted>.
	{"Teredo client", "2001:0:4136:e378:8000:63bf:80ff:fffe", "2001:0:4136:e378:8000:63bf:3f57:fefe", "2001:0:4136:e378:8000:63bf:5601:5601"},
	{"Teredo server", "2001:0:7f00:1:8000:63bf:3fff:fdd2", "2001:0:c0a8:101:8000:63bf:3fff:fdd2", "2001:0:a9fe:a9fe:8000:63bf:3fff:fdd2"},
}

func TestCheck_IPv4WrappedInIPv6IsJudgedByTheAddressInside(t *testing.T) {
	strict := &outbound.Policy{Strict: true}
	open := &outbound.Policy{}
	for _, tc := range wrappedIPv4 {
		for _, c := range []struct {
			policy          *outbound.Policy
			ip, inner, want string
		}{
			{strict, tc.loopback, "127.0.0.1", "loopback"},
			{strict, tc.private, "192.168.1.1", "private network"},
			{open, tc.metadata, "169.254.169.254", "metadata"},
			{strict, tc.metadata, "169.254.169.254", "metadata"},
		} {
			t.Run(tc.name+" "+c.ip, func(t *testing.T) {
				err := c.policy.Check("crm.example", netip.MustParseAddr(c.ip))
				var denied *flows.DeniedError
				if !errors.As(err, &denied) {
					t.Fatalf("%s (carrying %s) was let through: %v", c.ip, c.inner, err)
				}
				if denied.Address != c.inner || !strings.Contains(denied.Reason, c.want) {
					t.Fatalf("refusal names %s, %q; want %s, %q", denied.Address, denied.Reason, c.inner, c.want)
				}
				if strings.HasPrefix(tc.name, "IPv4-mapped") {
					return // the kernel dials it as the IPv4 address itself: nothing is wrapped
				}
				if !strings.Contains(denied.Reason, c.ip) && !strings.Contains(denied.Reason, netip.MustParseAddr(c.ip).String()) {
					t.Errorf("reason %q does not name the IPv6 address %s", denied.Reason, c.ip)
				}
				if !strings.Contains(denied.ReasonRu, "IPv6") {
					t.Errorf("Russian reason %q", denied.ReasonRu)
				}
			})
		}
	}
}

func TestCheck_PublicAddressesWrappedInIPv6PassStrictMode(t *testing.T) {
	strict := &outbound.Policy{Strict: true}
	for _, ip := range []string{
		"2606:4700::6810:85e5",                 // plain public IPv6
		"64:ff9b::5db8:d822",                   // NAT64 of 93.184.216.34
		"64:ff9b:1:ab:cd:ef:5db8:d822",         // local-use NAT64 /96 of it, with a subnet
		"64:ff9b:1:5db8:d8:2200::",             // local-use NAT64 /48 of it
		"2002:5db8:d822::1",                    // 6to4
		"2001:0:4136:e378:8000:63bf:a247:27dd", // Teredo, client 93.184.216.34
	} {
		if err := strict.Check("x", netip.MustParseAddr(ip)); err != nil {
			t.Errorf("%s refused: %v", ip, err)
		}
	}
	// The allow-list covers the wrapped forms of what it allows, and an allowed IPv6 range.
	_, nets, _ := outbound.ParseAllow("127.0.0.1, 2002::/16")
	allowing := &outbound.Policy{Strict: true, AllowNets: nets}
	for _, ip := range []string{"64:ff9b::7f00:1", "2002:c0a8:101::1"} {
		if err := allowing.Check("x", netip.MustParseAddr(ip)); err != nil {
			t.Errorf("allow-listed %s refused: %v", ip, err)
		}
	}
	if err := allowing.Check("x", netip.MustParseAddr("64:ff9b::c0a8:101")); err == nil {
		t.Error("NAT64 of a private address outside the allow-list let through")
	}
	// Even an allowed range never reaches the metadata service.
	if err := allowing.Check("x", netip.MustParseAddr("2002:a9fe:a9fe::1")); err == nil {
		t.Error("6to4 of the metadata address let through by an allow-listed range")
	}
}

func TestParseAllow_RefusesWhatIsNoAddress(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/33", "http://x.example", "user@host", "*."} {
		if _, _, err := outbound.ParseAllow(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// fakeDNS answers every A question with ip: a name "resolving to" the metadata service without
// touching the machine's resolver.
func fakeDNS(t *testing.T, ip [4]byte) *net.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			var q dnsmessage.Message
			if q.Unpack(buf[:n]) != nil || len(q.Questions) == 0 {
				continue
			}
			ans := dnsmessage.Message{Header: dnsmessage.Header{ID: q.ID, Response: true, Authoritative: true}, Questions: q.Questions}
			if q.Questions[0].Type == dnsmessage.TypeA {
				ans.Answers = []dnsmessage.Resource{{
					Header: dnsmessage.ResourceHeader{Name: q.Questions[0].Name, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET, TTL: 60},
					Body:   &dnsmessage.AResource{A: ip},
				}}
			}
			out, _ := ans.Pack()
			_, _ = pc.WriteTo(out, addr) // a lost answer makes the lookup under test fail
		}
	}()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", pc.LocalAddr().String())
	}}
}

// runHTTP runs webhook → http 'send' to url with 3 retries through client.
func runHTTP(t *testing.T, client flows.Doer, url string) *flows.Trace {
	t.Helper()
	doc := `{"schema":1,"inputs":[{"key":"url"}],"nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"send","kind":"http","name":"Send lead","config":{"method":"GET","url":"{{inputs.url}}","retries":3,"retry_delay_ms":1}}],
	  "edges":[{"from":"trigger","to":"send"}]}`
	f, err := flows.ParseFlow([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	env := &flows.BasicEnv{HTTP: client, Inputs: map[string]string{"url": url}}
	tr, err := flows.Run(context.Background(), f, flows.Payload{Method: "GET"}, env)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestClient_RefusesTheDialledAddressNotJustTheURL(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer target.Close()
	port := target.Listener.Addr().(*net.TCPAddr).Port
	_, loopback, _ := outbound.ParseAllow("127.0.0.0/8")

	cases := []struct {
		name    string
		policy  *outbound.Policy
		url     string
		address string // the refused address, "" when the request must go through
	}{
		{"literal metadata address", &outbound.Policy{}, "http://169.254.169.254/latest/meta-data/", "169.254.169.254"},
		{"name resolving to the metadata address", &outbound.Policy{Resolver: fakeDNS(t, [4]byte{169, 254, 169, 254})},
			"http://innocent.example/latest/meta-data/", "169.254.169.254"},
		{"redirect from an allowed server", &outbound.Policy{}, target.URL + "/redirect", "169.254.169.254"},
		{"loopback target in default mode", &outbound.Policy{}, target.URL + "/", ""},
		{"strict mode refuses loopback", &outbound.Policy{Strict: true}, target.URL + "/", "127.0.0.1"},
		{"strict mode refuses a name resolving to loopback",
			&outbound.Policy{Strict: true, Resolver: fakeDNS(t, [4]byte{127, 0, 0, 1})},
			"http://crm.example:" + strconv.Itoa(port) + "/", "127.0.0.1"},
		{"strict mode refuses loopback through NAT64", &outbound.Policy{Strict: true},
			"http://[64:ff9b::7f00:1]:" + strconv.Itoa(port) + "/", "127.0.0.1"},
		{"strict mode refuses IPv4-compatible loopback", &outbound.Policy{Strict: true},
			"http://[::127.0.0.1]:" + strconv.Itoa(port) + "/", "127.0.0.1"},
		{"strict mode refuses a private address through 6to4", &outbound.Policy{Strict: true},
			"http://[2002:c0a8:101::1]/", "192.168.1.1"},
		{"metadata through Teredo", &outbound.Policy{}, "http://[2001:0:4136:e378:8000:63bf:5601:5601]/", "169.254.169.254"},
		{"allow-list lets loopback through in strict mode", &outbound.Policy{Strict: true, AllowNets: loopback}, target.URL + "/", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr := runHTTP(t, tc.policy.Client(), tc.url)
			if tc.address == "" {
				if tr.Status != flows.StatusSuccess {
					t.Fatalf("status %s: %v", tr.Status, tr.Error)
				}
				return
			}
			if tr.Status != flows.StatusFailed || tr.Error == nil || tr.Error.Code != flows.CodeHTTPDenied {
				t.Fatalf("status %s, error %+v; want %s", tr.Status, tr.Error, flows.CodeHTTPDenied)
			}
			msg := tr.Error.Error()
			// The sentence names the step, the address and why.
			for _, want := range []string{"Send lead", tc.address} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not mention %q", msg, want)
				}
			}
			ru := tr.Error.Text("ru")
			if !strings.Contains(ru, tc.address) || !strings.Contains(ru, "не вызван") {
				t.Errorf("Russian error %q", ru)
			}
			// A refusal is final: one attempt, no retries.
			if n := len(tr.Steps[1].HTTP.Attempts); n != 1 {
				t.Errorf("%d attempts, want 1 (a refused address is not retried)", n)
			}
		})
	}
}
