//! Who is asking: the client's address, read through the reverse proxies we trust.

use std::net::IpAddr;

use actix_web::HttpRequest;
use actix_web::http::header;

use crate::config::{Proxies, ProxyHeader};

/// The client's address. Behind trusted proxies (`CYBERDIR_TRUSTED_PROXIES`), the right-most
/// address that is not itself a trusted proxy, in the one header those proxies append
/// (`CYBERDIR_PROXY_HEADER`): addresses left of it, and the other header family, were written
/// by the client and prove nothing. Without a trusted peer, the headers are ignored.
pub fn client_ip(req: &HttpRequest, proxies: &Proxies) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    let is_trusted = |ip: IpAddr| proxies.trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer) {
        return Some(peer);
    }
    let chain = match proxies.header {
        ProxyHeader::Forwarded => forwarded_chain(req),
        ProxyHeader::XForwardedFor => x_forwarded_for_chain(req),
    };
    Some(
        chain
            .into_iter()
            .rev()
            .find(|ip| !is_trusted(*ip))
            .unwrap_or(peer),
    )
}

/// The `for=` nodes of every `Forwarded` header, in order.
fn forwarded_chain(req: &HttpRequest) -> Vec<IpAddr> {
    let mut chain = Vec::new();
    for value in req.headers().get_all(header::FORWARDED) {
        let Ok(value) = value.to_str() else { continue };
        for element in value.split(',') {
            for pair in element.split(';') {
                if let Some((key, v)) = pair.trim().split_once('=')
                    && key.trim().eq_ignore_ascii_case("for")
                    && let Some(ip) = forwarded_node(v)
                {
                    chain.push(ip);
                }
            }
        }
    }
    chain
}

/// The addresses of every `X-Forwarded-For` header, in order.
fn x_forwarded_for_chain(req: &HttpRequest) -> Vec<IpAddr> {
    let mut chain = Vec::new();
    for value in req.headers().get_all("x-forwarded-for") {
        let Ok(value) = value.to_str() else { continue };
        chain.extend(
            value
                .split(',')
                .filter_map(|a| a.trim().parse::<IpAddr>().ok()),
        );
    }
    chain
}

/// The address of a `Forwarded` node: `192.0.2.60`, `"[2001:db8::1]:4711"`, `"192.0.2.60:80"`.
fn forwarded_node(value: &str) -> Option<IpAddr> {
    let value = value.trim().trim_matches('"');
    if let Some(rest) = value.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    value
        .parse()
        .ok()
        .or_else(|| value.rsplit_once(':')?.0.parse().ok())
}

/// The client's address as text, for the limits that key on it ("" when unknown).
pub fn client_key(req: &HttpRequest, proxies: &Proxies) -> String {
    client_ip(req, proxies)
        .map(|ip| ip.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Cidr;
    use actix_web::test::TestRequest;

    fn request(peer: &str, headers: &[(&str, &str)]) -> HttpRequest {
        let mut r = TestRequest::default().peer_addr(peer.parse().unwrap());
        for (k, v) in headers {
            r = r.insert_header((*k, *v));
        }
        r.to_http_request()
    }

    fn behind(header: ProxyHeader) -> Proxies {
        Proxies {
            trusted: vec!["10.0.0.0/8".parse::<Cidr>().unwrap()],
            header,
        }
    }

    #[test]
    fn forwarded_headers_count_only_from_a_trusted_proxy() {
        let proxies = behind(ProxyHeader::XForwardedFor);
        let xff = [("x-forwarded-for", "1.2.3.4, 198.51.100.7, 10.0.0.3")];
        // From the proxy: the right-most address that is not a proxy.
        assert_eq!(
            client_key(&request("10.0.0.2:5000", &xff), &proxies),
            "198.51.100.7"
        );
        // From anyone else: the header is the client's word, ignored.
        assert_eq!(
            client_key(&request("203.0.113.5:5000", &xff), &proxies),
            "203.0.113.5"
        );
        assert_eq!(
            client_key(&request("10.0.0.2:5000", &xff), &Proxies::default()),
            "10.0.0.2"
        );
        let forwarded = [(
            "forwarded",
            "for=192.0.2.43, for=\"[2001:db8:cafe::17]:4711\"",
        )];
        assert_eq!(
            client_key(
                &request("10.0.0.2:5000", &forwarded),
                &behind(ProxyHeader::Forwarded)
            ),
            "2001:db8:cafe::17"
        );
        // The family the proxy does not append is the client's word, whichever it is.
        let both = [
            ("x-forwarded-for", "203.0.113.50"),
            ("forwarded", "for=192.0.2.99"),
        ];
        assert_eq!(
            client_key(&request("10.0.0.2:5000", &both), &proxies),
            "203.0.113.50"
        );
        assert_eq!(
            client_key(
                &request("10.0.0.2:5000", &both),
                &behind(ProxyHeader::Forwarded)
            ),
            "192.0.2.99"
        );
        // A proxy with no header: the proxy itself.
        assert_eq!(
            client_key(&request("10.0.0.2:5000", &[]), &proxies),
            "10.0.0.2"
        );
    }
}
