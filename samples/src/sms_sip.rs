//! The SMS-over-IMS sample: SIP `MESSAGE`s (3GPP TS 24.341) whose bodies are RP-DATA messages
//! holding SMS TPDUs: an SMS CIR to port 3716 and a WAP Push CIR to 2948 delivered to a phone,
//! Android's SMS HELO submitted by it, and an ordinary text SMS. This is the transport that takes
//! an SMS to Wireshark's GSM SMS TPDU dissector (and so to the plugin, through `gsm_sms.udh.port`).

use crate::capture::{Capture, Format};
use crate::net::{Link, Transport, ip_packet};
use std::net::{IpAddr, Ipv4Addr};

const IMS: (IpAddr, u16) = (IpAddr::V4(Ipv4Addr::new(10, 30, 0, 1)), 5060);
const PHONE: (IpAddr, u16) = (IpAddr::V4(Ipv4Addr::new(10, 30, 0, 77)), 5060);

/// Semi-octets of a digit string, with the TPDU's length (in digits) and type of address.
fn address(digits: &str, toa: u8) -> Vec<u8> {
    let d: Vec<u8> = digits.bytes().map(|c| c - b'0').collect();
    let mut out = vec![d.len() as u8, toa];
    out.extend(d.chunks(2).map(|p| p[0] | p.get(1).map_or(0xF0, |&h| h << 4)));
    out
}

/// An SMS-DELIVER from `from`: UDHI when `udhi`, TP-DCS `dcs`, user data `ud` (TP-UDL in octets
/// for 8-bit data, in septets for 7-bit text).
fn deliver(from: &str, udhi: bool, dcs: u8, udl: u8, ud: &[u8]) -> Vec<u8> {
    let mut t = vec![if udhi { 0x44 } else { 0x04 }];
    t.extend(address(from, 0x81));
    t.extend_from_slice(&[0x00, dcs]);
    t.extend_from_slice(&[0x90, 0x30, 0x41, 0x01, 0x00, 0x21, 0x00]); // 2009-03-14 10:00:12
    t.push(udl);
    t.extend_from_slice(ud);
    t
}

/// RP-DATA, network to phone (from the SMSC +447785016005), or phone to network (to it).
fn rp_data(to_phone: bool, tpdu: &[u8]) -> Vec<u8> {
    let smsc = [0x07, 0x91, 0x44, 0x77, 0x58, 0x10, 0x06, 0x50];
    let mut rp = if to_phone { vec![0x01, 0x2A] } else { vec![0x00, 0x2B] };
    if to_phone {
        rp.extend_from_slice(&smsc);
        rp.push(0);
    } else {
        rp.push(0);
        rp.extend_from_slice(&smsc);
    }
    rp.push(tpdu.len() as u8);
    rp.extend_from_slice(tpdu);
    rp
}

/// A SIP MESSAGE to `uri` with an RP-DATA body.
fn message(uri: &str, call: u32, body: &[u8]) -> Vec<u8> {
    let head = format!(
        "MESSAGE sip:{uri}@ims.example.net SIP/2.0\r\n\
         Via: SIP/2.0/UDP 10.30.0.1:5060;branch=z9hG4bK{call:08x}\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:ipsmgw@ims.example.net>;tag={call:x}\r\n\
         To: <sip:{uri}@ims.example.net>\r\n\
         Call-ID: {call:08x}@10.30.0.1\r\n\
         CSeq: 1 MESSAGE\r\n\
         Content-Type: application/vnd.3gpp.sms\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    [head.as_bytes(), body].concat()
}

fn accepted(call: u32) -> Vec<u8> {
    format!(
        "SIP/2.0 202 Accepted\r\n\
         Via: SIP/2.0/UDP 10.30.0.1:5060;branch=z9hG4bK{call:08x}\r\n\
         Call-ID: {call:08x}@10.30.0.1\r\n\
         CSeq: 1 MESSAGE\r\n\
         Content-Length: 0\r\n\r\n"
    )
    .into_bytes()
}

/// The sample.
pub fn sms_over_sip() -> Capture {
    let link = Link::Ethernet;
    let mut cap = Capture::new(Format::Pcap { link, big_endian: false, nanos: false });
    let mut t = 0.0;
    let mut send = |cap: &mut Capture, src, dst, payload: &[u8], note: &str| {
        cap.push_ip(t, link, 0, &ip_packet(src, dst, 0x3000, &Transport::Udp, payload), false, note);
        t += 0.05;
    };
    let packed = |s: &[u8]| wvcir::encode::gsm7(s).expect("GSM 7-bit text");
    // An SMS CIR: 8-bit data (class 1), UDH ports 3716 to 3716, the text GSM 7-bit packed.
    let ud = [&[0x06, 0x05, 0x04, 0x0E, 0x84, 0x0E, 0x84][..], &packed(b"WVCI 1.2 wv:ims.1")].concat();
    let body = rp_data(true, &deliver("72466", true, 0xF5, ud.len() as u8, &ud));
    send(
        &mut cap,
        IMS,
        PHONE,
        &message("+447700900123", 1, &body),
        "SMS-DELIVER CIR over SIP: 8-bit data, UDH ports 3716",
    );
    send(&mut cap, PHONE, IMS, &accepted(1), "SIP 202 Accepted");
    // An ordinary text SMS: 7-bit, no header.
    let text = b"See you at 8";
    let body = rp_data(true, &deliver("447700900999", false, 0x00, text.len() as u8, &packed(text)));
    send(&mut cap, IMS, PHONE, &message("+447700900123", 2, &body), "SIP MESSAGE: a text SMS, no port");
    send(&mut cap, PHONE, IMS, &accepted(2), "SIP 202 Accepted");
    // A WAP Push CIR to 2948 from 9200.
    let mut ud = vec![0x06, 0x05, 0x04, 0x0B, 0x84, 0x23, 0xF0, 0x01, 0x06, 0x03, 0xC6, 0xAF, 0x8A];
    ud.extend_from_slice(b"WVCI 1.2 wv:ims.push.2");
    let body = rp_data(true, &deliver("72466", true, 0xF5, ud.len() as u8, &ud));
    send(
        &mut cap,
        IMS,
        PHONE,
        &message("+447700900123", 3, &body),
        "SMS-DELIVER WAP Push CIR over SIP, ports 2948 from 9200",
    );
    send(&mut cap, PHONE, IMS, &accepted(3), "SIP 202 Accepted");
    // Android's SMS HELO to the server's short code, submitted by the phone.
    let mut ud = vec![0x06, 0x05, 0x04, 0x0E, 0x84, 0x0E, 0x84, 13];
    ud.extend(packed(b"HELO 3a9f0c1e"));
    let mut submit = vec![0x41, 0x05]; // SMS-SUBMIT, UDHI, no validity period; TP-MR 5
    submit.extend(address("72466", 0x81));
    submit.extend_from_slice(&[0x00, 0xF5, ud.len() as u8]);
    submit.extend_from_slice(&ud);
    let body = rp_data(false, &submit);
    send(&mut cap, PHONE, IMS, &message("+447785016005", 4, &body), "SMS-SUBMIT: Android's SMS HELO over SIP");
    send(&mut cap, IMS, PHONE, &accepted(4), "SIP 202 Accepted");
    cap
}
