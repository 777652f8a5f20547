//! The client's address for rate limits, login throttling and the audit log: the connection's
//! peer, or, when that peer is a load balancer the config trusts (`trusted_proxies`), the address
//! the balancer added last to `X-Forwarded-For` (what came before it, the client may have forged).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request};

/// The client's address as far as this server can tell.
pub fn client_ip(req: &Request, trusted_proxies: &[IpAddr]) -> Option<IpAddr> {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())?;
    if !trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .last()
        .and_then(|last| last.trim().parse::<IpAddr>().ok());
    Some(forwarded.unwrap_or(peer))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(peer: &str, forwarded: &[&str]) -> Request {
        let mut builder = axum::http::Request::builder().uri("/");
        for f in forwarded {
            builder = builder.header("x-forwarded-for", *f);
        }
        let mut req = builder.body(axum::body::Body::empty()).expect("a request");
        let peer: SocketAddr = peer.parse().expect("an address");
        req.extensions_mut().insert(ConnectInfo(peer));
        req
    }

    const BALANCER: [IpAddr; 1] = [IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)];

    #[test]
    fn behind_a_trusted_balancer_the_last_forwarded_address_counts() {
        let req = request("127.0.0.1:5000", &["10.9.9.9, 203.0.113.7"]);
        assert_eq!(client_ip(&req, &BALANCER), "203.0.113.7".parse().ok());
        let two_headers = request("127.0.0.1:5000", &["10.9.9.9", "198.51.100.2"]);
        assert_eq!(
            client_ip(&two_headers, &BALANCER),
            "198.51.100.2".parse().ok()
        );
    }

    #[test]
    fn an_untrusted_peer_cannot_choose_its_address() {
        let req = request("192.0.2.10:5000", &["203.0.113.7"]);
        assert_eq!(client_ip(&req, &BALANCER), "192.0.2.10".parse().ok());
        assert_eq!(client_ip(&req, &[]), "192.0.2.10".parse().ok());
    }

    #[test]
    fn a_garbled_header_falls_back_to_the_peer() {
        let req = request("127.0.0.1:5000", &["not an address"]);
        assert_eq!(client_ip(&req, &BALANCER), "127.0.0.1".parse().ok());
    }
}
