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

// nat64 embeds an IPv4 address in the last 32 bits; the embedded address is what is reached.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// AlwaysDenied says why ip may never be reached by a flow, in English and Russian.
func AlwaysDenied(ip netip.Addr) (reason, reasonRu string, denied bool) {
	ip = ip.Unmap()
	if nat64.Contains(ip) {
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
	}
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
		return AlwaysDenied(ip)
	}
	for _, h := range cloudMetadataHosts {
		if host == h {
			return "a cloud metadata service", "служебный адрес облака (metadata)", true
		}
	}
	return "", "", false
}
