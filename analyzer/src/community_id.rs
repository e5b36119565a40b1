//! Community ID v1 (seed 0), the flow hash Zeek, Suricata, Arkime, Elastic and Wireshark emit, so
//! that our flows, TCP channels and messages join their records (`community_id`).
//!
//! The hash is the `communityid` crate's, checked against the specification's reference vectors
//! here and against tshark's own `communityid` on every sample (`tests/tests/community_id.rs`).

use crate::flows::Endpoint;
use communityid::{Flow, Protocol};
use wvcir::Transport;

/// The seed every tool uses by default; ours is not configurable, so that ids always join.
pub const SEED: u16 = 0;

/// The Community ID of a UDP or TCP flow, the same whichever endpoint is given first.
pub fn community_id(transport: Transport, a: Endpoint, b: Endpoint) -> String {
    let proto = match transport {
        Transport::Udp => Protocol::UDP,
        Transport::Tcp => Protocol::TCP,
    };
    Flow::new(proto, a.0, a.1, b.0, b.1).community_id_v1(SEED).base64()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    /// The specification's examples (corelight/community-id-spec, as its C, JavaScript and
    /// Elasticsearch implementations test them) and the `communityid` crate's own.
    #[test]
    fn reference_vectors_either_way_round() {
        let cases = [
            (Transport::Tcp, ("1.2.3.4", 1122), ("5.6.7.8", 3344), "1:wCb3OG7yAFWelaUydu0D+125CLM="),
            (Transport::Udp, ("192.168.1.52", 54585), ("8.8.8.8", 53), "1:d/FP5EW3wiY1vCndhwleRRKHowQ="),
            (Transport::Tcp, ("128.232.110.120", 34855), ("66.35.250.204", 80), "1:LQU9qZlK+B5F3KDmev6m5PMibrg="),
            (Transport::Udp, ("192.168.1.42", 4242), ("8.8.8.8", 53), "1:vTdrngJjlP5eZ9mw9JtnKyn99KM="),
            (
                Transport::Tcp,
                ("2001:470:e5bf:dead:4957:2174:e82c:4887", 63943),
                ("2607:f8b0:400c:c03::1a", 25),
                "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=",
            ),
        ];
        for (t, a, b, want) in cases {
            let (a, b) = ((ip(a.0), a.1), (ip(b.0), b.1));
            assert_eq!(community_id(t, a, b), want, "{a:?} -> {b:?}");
            assert_eq!(community_id(t, b, a), want, "{b:?} -> {a:?}");
        }
    }
}
