//! The SSRF guard: addresses gazette refuses to connect to unless
//! `fetch.allow_private_networks` is set.
//!
//! A feed URL comes from users, OPML files and redirects, so it can point at
//! the machine gazette runs on or its private network. IP-literal hosts are
//! checked before each request; host names are checked by [`PublicResolver`],
//! which drops forbidden addresses from every DNS answer (so a public name
//! resolving to `127.0.0.1`, or a redirect to one, is refused too).
//!
//! `fetch.allow_addresses` exempts chosen addresses or networks (a feed server
//! on the local network) without opening every private address.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use ipnet::IpNet;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Every address of a host name is private or reserved.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves only to private or reserved addresses (such as {address})")]
pub(crate) struct ForbiddenHost {
    pub(crate) host: String,
    pub(crate) address: IpAddr,
}

/// Which addresses are refused: the forbidden ranges less the exemptions.
#[derive(Debug, Clone, Default)]
pub(crate) struct Guard {
    exempt: Arc<[IpNet]>,
}

impl Guard {
    pub(crate) fn new(exempt: &[IpNet]) -> Guard {
        Guard {
            exempt: exempt.into(),
        }
    }

    /// Whether `address` is forbidden and not exempt.
    pub(crate) fn refuses(&self, address: IpAddr) -> bool {
        is_forbidden(address) && !self.exempt.iter().any(|net| net.contains(&address))
    }
}

/// A DNS resolver that keeps only the addresses the [`Guard`] lets through.
pub(crate) struct PublicResolver(pub(crate) Guard);

impl Resolve for PublicResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        let guard = self.0.clone();
        Box::pin(async move {
            let addresses: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let (public, forbidden): (Vec<SocketAddr>, Vec<SocketAddr>) = addresses
                .into_iter()
                .partition(|address| !guard.refuses(address.ip()));
            match (public.is_empty(), forbidden.first()) {
                (true, Some(refused)) => Err(Box::new(ForbiddenHost {
                    host,
                    address: refused.ip(),
                }) as _),
                _ => Ok(Box::new(public.into_iter()) as Addrs),
            }
        })
    }
}

/// Loopback, private, shared (CGNAT), link-local, unique-local, multicast,
/// unspecified, broadcast, documentation, benchmarking and reserved ranges.
pub(crate) fn is_forbidden(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped().or_else(|| nat64(v6)) {
            Some(v4) => forbidden_v4(v4),
            None => FORBIDDEN_V6
                .iter()
                .any(|&(network, prefix)| same_prefix(u128::from(v6), network, prefix, 128)),
        },
    }
}

const FORBIDDEN_V4: &[([u8; 4], u32)] = &[
    ([0, 0, 0, 0], 8),       // "this network", unspecified
    ([10, 0, 0, 0], 8),      // private
    ([100, 64, 0, 0], 10),   // shared address space (CGNAT)
    ([127, 0, 0, 0], 8),     // loopback
    ([169, 254, 0, 0], 16),  // link-local (cloud metadata services live here)
    ([172, 16, 0, 0], 12),   // private
    ([192, 0, 0, 0], 24),    // IETF protocol assignments
    ([192, 0, 2, 0], 24),    // documentation
    ([192, 168, 0, 0], 16),  // private
    ([198, 18, 0, 0], 15),   // benchmarking
    ([198, 51, 100, 0], 24), // documentation
    ([203, 0, 113, 0], 24),  // documentation
    ([224, 0, 0, 0], 4),     // multicast
    ([240, 0, 0, 0], 4),     // reserved, broadcast
];

const FORBIDDEN_V6: &[(u128, u32)] = &[
    (0, 96),                                         // unspecified, loopback, IPv4-compatible
    (0x0100_0000_0000_0000_0000_0000_0000_0000, 64), // discard
    (0x2001_0db8_0000_0000_0000_0000_0000_0000, 32), // documentation
    (0xfc00_0000_0000_0000_0000_0000_0000_0000, 7),  // unique local
    (0xfe80_0000_0000_0000_0000_0000_0000_0000, 10), // link-local
    (0xfec0_0000_0000_0000_0000_0000_0000_0000, 10), // site-local (deprecated)
    (0xff00_0000_0000_0000_0000_0000_0000_0000, 8),  // multicast
];

fn forbidden_v4(v4: Ipv4Addr) -> bool {
    FORBIDDEN_V4.iter().any(|&(network, prefix)| {
        same_prefix(
            u128::from(u32::from(v4)),
            u128::from(u32::from(Ipv4Addr::from(network))),
            prefix,
            32,
        )
    })
}

/// The IPv4 address embedded in a NAT64 address (`64:ff9b::/96`).
fn nat64(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let bits = u128::from(v6);
    same_prefix(bits, 0x0064_ff9b << 96, 96, 128).then(|| Ipv4Addr::from(bits as u32))
}

/// Whether the first `prefix` of `width` bits of `a` and `b` are equal.
fn same_prefix(a: u128, b: u128, prefix: u32, width: u32) -> bool {
    let shift = width - prefix;
    a >> shift == b >> shift
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_reserved_addresses_are_forbidden() {
        for address in [
            "127.0.0.1",
            "10.1.2.3",
            "172.31.255.255",
            "192.168.0.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.10",
            "198.51.100.1",
            "203.0.113.7",
            "::",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(
                is_forbidden(address.parse().unwrap()),
                "{address} should be forbidden"
            );
        }
    }

    #[test]
    fn exempt_networks_are_let_through_and_nothing_else() {
        let guard = Guard::new(&[
            "192.168.1.20/32".parse().unwrap(),
            "fd00::/8".parse().unwrap(),
        ]);
        assert!(!guard.refuses("192.168.1.20".parse().unwrap()));
        assert!(!guard.refuses("fd12::1".parse().unwrap()));
        assert!(guard.refuses("192.168.1.21".parse().unwrap()));
        assert!(guard.refuses("127.0.0.1".parse().unwrap()));
        assert!(!guard.refuses("1.1.1.1".parse().unwrap()));
        assert!(Guard::default().refuses("192.168.1.20".parse().unwrap()));
    }

    #[test]
    fn public_addresses_are_allowed() {
        for address in [
            "1.1.1.1",
            "93.184.216.34",
            "172.32.0.1",
            "192.169.0.1",
            "2606:4700:4700::1111",
            "2a00:1450:4007:80e::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(
                !is_forbidden(address.parse().unwrap()),
                "{address} should be allowed"
            );
        }
    }
}
