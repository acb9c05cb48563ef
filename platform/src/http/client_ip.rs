//! Who the client is, for throttling and refusal logs.
//!
//! A forwarded header is only believed when the TCP peer is one of `TRUSTED_PROXIES` (the
//! ingress): anyone else could write any address there and reset their own limits. The
//! address is parsed as an IP (never used as text from the request), and limits are keyed by a
//! hash of it, an IPv6 client by its /64 (one subscriber's whole prefix).

use poem::Request;
use std::net::IpAddr;

/// An address range, `10.0.0.0/8` or `fd00::/8`; a bare address is its own range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, canonical(ip)) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                mask(u32::from(n) as u128, 32, self.prefix)
                    == mask(u32::from(a) as u128, 32, self.prefix)
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                mask(u128::from(n), 128, self.prefix) == mask(u128::from(a), 128, self.prefix)
            }
            _ => false,
        }
    }
}

fn mask(bits: u128, width: u8, prefix: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        bits >> (width - prefix)
    }
}

/// An IPv4 address seen through an IPv6 socket (`::ffff:a.b.c.d`) is the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

impl std::str::FromStr for Cidr {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (address, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let network: IpAddr = address
            .parse()
            .map_err(|_| format!("{s:?} is not an address range such as 10.0.0.0/8"))?;
        let network = canonical(network);
        let width = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => width,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= width)
                .ok_or_else(|| format!("{s:?}: the prefix length must be 0 to {width}"))?,
        };
        Ok(Cidr { network, prefix })
    }
}

/// A comma-separated list of ranges; empty means none.
pub fn parse_cidrs(list: &str) -> Result<Vec<Cidr>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::parse)
        .collect()
}

/// The client's address, decided once per request by the hardening middleware.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

/// The peer, or, when the peer is a trusted proxy, the nearest address in `X-Forwarded-For`
/// that is not itself a trusted proxy (proxies append; the client writes only the left part).
pub fn resolve(trusted: &[Cidr], req: &Request) -> Option<IpAddr> {
    let peer = req
        .remote_addr()
        .as_socket_addr()
        .map(|a| canonical(a.ip()))?;
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer) {
        return Some(peer);
    }
    let mut forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    while let Some(hop) = forwarded.pop() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if is_trusted(canonical(ip)) => continue,
            Ok(ip) => return Some(canonical(ip)),
            // An unreadable hop: stop at the last address we could trust.
            Err(_) => return Some(peer),
        }
    }
    Some(peer)
}

/// Whether the request came over HTTPS: the URI scheme, or a trusted proxy's word for it.
pub fn https(trusted: &[Cidr], req: &Request) -> bool {
    if req.uri().scheme_str() == Some("https") {
        return true;
    }
    let peer_trusted = req
        .remote_addr()
        .as_socket_addr()
        .is_some_and(|a| trusted.iter().any(|c| c.contains(canonical(a.ip()))));
    peer_trusted
        && req
            .headers()
            .get("x-forwarded-proto")
            .is_some_and(|v| v == "https")
}

/// The key limits are counted under: a hash, of the /64 for IPv6, never the text sent.
pub fn limit_key(ip: Option<IpAddr>) -> String {
    let text = match ip {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            format!("{}/64", std::net::Ipv6Addr::from(prefix))
        }
        None => "unknown".into(),
    };
    crate::auth::tokens::token_hash(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_contain_their_addresses_only() {
        let c: Cidr = "10.1.0.0/16".parse().unwrap();
        assert!(c.contains("10.1.200.3".parse().unwrap()));
        assert!(!c.contains("10.2.0.1".parse().unwrap()));
        assert!(c.contains("::ffff:10.1.0.9".parse().unwrap()));
        let c: Cidr = "fd00::/8".parse().unwrap();
        assert!(c.contains("fd12::1".parse().unwrap()));
        assert!(!c.contains("2001:db8::1".parse().unwrap()));
        let any: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(any.contains("192.0.2.1".parse().unwrap()));
        assert!("10.0.0.0/40".parse::<Cidr>().is_err());
        assert!("ingress".parse::<Cidr>().is_err());
    }

    #[test]
    fn ipv6_clients_of_one_prefix_share_a_key_and_keys_are_hashes() {
        let a = limit_key(Some("2001:db8:1:2::1".parse().unwrap()));
        let b = limit_key(Some("2001:db8:1:2:ffff::9".parse().unwrap()));
        let c = limit_key(Some("2001:db8:1:3::1".parse().unwrap()));
        assert_eq!(a, b);
        assert_ne!(a, c);
        let v4 = limit_key(Some("192.0.2.1".parse().unwrap()));
        assert!(!v4.contains("192"), "{v4}");
        assert_eq!(v4.len(), a.len());
    }
}
