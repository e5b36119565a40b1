//! The SMPP sample: an IM server (an ESME) handing SMS CIRs to an SMSC over SMPP 3.4 on TCP 2775,
//! in every PDU and data coding a CIR can travel in, concatenated ones included (a three-part WAP
//! Push among them), and Android's SMS HELO coming back in a `deliver_sm`.

use crate::capture::{Capture, Format};
use crate::net::Link;
use crate::tcp::{Dir, TcpConn};
use std::net::{IpAddr, Ipv4Addr};
use wvcir::smpp::{
    DATA_SM, DELIVER_SM, SUBMIT_MULTI, SUBMIT_SM, TLV_DESTINATION_PORT, TLV_MESSAGE_PAYLOAD, TLV_SAR_MSG_REF_NUM,
    TLV_SAR_SEGMENT_SEQNUM, TLV_SAR_TOTAL_SEGMENTS, TLV_SOURCE_PORT,
};

/// UDH: 16-bit application ports, 3716 to 3716. (Not from 9200, as a WAP Push is sent: Wireshark
/// tries the source port first, and 9200 is WSP's.)
const UDH_PORTS_3716: [u8; 7] = [0x06, 0x05, 0x04, 0x0E, 0x84, 0x0E, 0x84];
/// The IM server's short code, and the phones.
const SERVER: &[u8] = b"72466";
const PHONE: &[u8] = b"447700900123";
const PHONE2: &[u8] = b"447700900456";

/// A PDU: header (length filled in), then `body`.
fn pdu(command_id: u32, seq: u32, body: &[u8]) -> Vec<u8> {
    let mut b = ((16 + body.len()) as u32).to_be_bytes().to_vec();
    b.extend_from_slice(&command_id.to_be_bytes());
    b.extend_from_slice(&[0; 4]);
    b.extend_from_slice(&seq.to_be_bytes());
    b.extend_from_slice(body);
    b
}

fn cstr(b: &mut Vec<u8>, s: &[u8]) {
    b.extend_from_slice(s);
    b.push(0);
}

fn tlvs(b: &mut Vec<u8>, tlvs: &[(u16, &[u8])]) {
    for (tag, value) in tlvs {
        b.extend_from_slice(&tag.to_be_bytes());
        b.extend_from_slice(&(value.len() as u16).to_be_bytes());
        b.extend_from_slice(value);
    }
}

/// A submit_sm or deliver_sm body.
fn sm_body(src: &[u8], dst: &[u8], esm_class: u8, dcs: u8, sm: &[u8], extra: &[(u16, &[u8])]) -> Vec<u8> {
    let mut b = Vec::new();
    cstr(&mut b, b""); // service_type
    b.extend_from_slice(&[0x03, 0x00]); // alphanumeric-ish short code: TON 3, NPI 0
    cstr(&mut b, src);
    b.extend_from_slice(&[0x01, 0x01]); // international, ISDN
    cstr(&mut b, dst);
    // esm_class, protocol_id, priority, schedule (NULL), validity (NULL), registered_delivery,
    // replace_if_present, data_coding, sm_default_msg_id, sm_length.
    b.extend_from_slice(&[esm_class, 0, 0, 0, 0, 0, 0, dcs, 0, sm.len() as u8]);
    b.extend_from_slice(sm);
    tlvs(&mut b, extra);
    b
}

fn with_udh(udh: &[u8], text: &[u8]) -> Vec<u8> {
    let mut v = udh.to_vec();
    v.extend_from_slice(text);
    v
}

fn packed(text: &[u8]) -> Vec<u8> {
    wvcir::encode::gsm7(text).expect("GSM 7-bit text")
}

/// ASCII text as GSM 7-bit septets, one per octet (what SMPP carries for data_coding 0).
fn unpacked(text: &[u8]) -> Vec<u8> {
    text.iter().map(|&c| wvcir::gsm7::ascii_to_septet(c).expect("in the GSM alphabet")).collect()
}

const PORT_TLVS: [(u16, &[u8]); 2] = [(TLV_SOURCE_PORT, &[0x0E, 0x84]), (TLV_DESTINATION_PORT, &[0x0E, 0x84])];

/// Data from `dir` and its ACK, then the clock moves on.
fn step(c: &mut TcpConn, cap: &mut Capture, t: &mut f64, dir: Dir, bytes: &[u8], note: &str) {
    c.send_acked(cap, *t, dir, bytes, note);
    *t += 0.1;
}

/// The SMPP sample.
pub fn smpp() -> Capture {
    let link = Link::Ethernet;
    let mut cap = Capture::new(Format::Pcap { link, big_endian: false, nanos: false });
    let esme = (IpAddr::V4(Ipv4Addr::new(10, 20, 0, 5)), 41_000);
    let smsc = (IpAddr::V4(Ipv4Addr::new(10, 20, 0, 9)), 2775);
    let mut c = TcpConn::new(esme, smsc, link, [0x1A00_0000, 0x2B00_0000], 0.0);
    c.handshake(&mut cap, 0.0);
    let mut t = 0.1;
    let mut seq = 1;
    let mut bind = Vec::new();
    cstr(&mut bind, b"imps-gw"); // system_id
    cstr(&mut bind, b"secret"); // password
    cstr(&mut bind, b""); // system_type
    bind.extend_from_slice(&[0x34, 0, 0]); // interface_version 3.4, addr_ton, addr_npi
    cstr(&mut bind, b""); // address_range
    step(&mut c, &mut cap, &mut t, Dir::C2S, &pdu(0x02, seq, &bind), "SMPP bind_transmitter (system_id imps-gw)");
    step(&mut c, &mut cap, &mut t, Dir::S2C, &pdu(0x8000_0002, seq, b"SMSC\0"), "SMPP bind_transmitter_resp");
    let next = |n: &mut u32| {
        *n += 1;
        *n
    };

    // 8-bit data, the text GSM 7-bit packed (what Android reads), ports in the UDH.
    let sm = with_udh(&UDH_PORTS_3716, &packed(b"WVCI 1.2 wv:sms.1"));
    let p = pdu(SUBMIT_SM, next(&mut seq), &sm_body(SERVER, PHONE, 0x40, 0xF5, &sm, &[]));
    step(&mut c, &mut cap, &mut t, Dir::C2S, &p, "submit_sm CIR: 8-bit data, GSM 7-bit packed, UDH ports 3716");
    step(&mut c, &mut cap, &mut t, Dir::S2C, &pdu(0x8000_0004, seq, b"m1\0"), "SMPP submit_sm_resp");

    // The default alphabet unpacked, ports in TLVs (`_` is septet 0x11).
    let p =
        pdu(SUBMIT_SM, next(&mut seq), &sm_body(SERVER, PHONE, 0, 0x00, &unpacked(b"WVCI 1.2 wv_sms.2"), &PORT_TLVS));
    step(&mut c, &mut cap, &mut t, Dir::C2S, &p, "submit_sm CIR: data_coding 0 (GSM 7-bit unpacked), port TLVs");

    // data_sm: the message in message_payload, Latin-1.
    let mut body = Vec::new();
    cstr(&mut body, b"");
    body.extend_from_slice(&[0x03, 0x00]);
    cstr(&mut body, SERVER);
    body.extend_from_slice(&[0x01, 0x01]);
    cstr(&mut body, PHONE);
    body.extend_from_slice(&[0x00, 0x00, 0x03]); // esm_class, registered_delivery, data_coding
    tlvs(&mut body, &PORT_TLVS);
    tlvs(&mut body, &[(TLV_MESSAGE_PAYLOAD, b"WVCI 1.3 wv:sms.3")]);
    step(
        &mut c,
        &mut cap,
        &mut t,
        Dir::C2S,
        &pdu(DATA_SM, next(&mut seq), &body),
        "data_sm CIR: in message_payload, Latin-1, port TLVs",
    );

    // submit_multi: two phones and a distribution list, IA5.
    let mut body = Vec::new();
    cstr(&mut body, b"");
    body.extend_from_slice(&[0x03, 0x00]);
    cstr(&mut body, SERVER);
    body.push(3);
    for phone in [PHONE, PHONE2] {
        body.extend_from_slice(&[0x01, 0x01, 0x01]);
        cstr(&mut body, phone);
    }
    body.push(0x02);
    cstr(&mut body, b"imps-buddies");
    let sm = b"WVCI 1.2 wv:sms.4";
    body.extend_from_slice(&[0x00, 0, 0, 0, 0, 0, 0, 0x01, 0, sm.len() as u8]);
    body.extend_from_slice(sm);
    tlvs(&mut body, &PORT_TLVS);
    step(
        &mut c,
        &mut cap,
        &mut t,
        Dir::C2S,
        &pdu(SUBMIT_MULTI, next(&mut seq), &body),
        "submit_multi CIR: 3 destinations, IA5, port TLVs",
    );

    // Plain ASCII as 8-bit data: no real client reads it.
    let sm = with_udh(&UDH_PORTS_3716, b"WVCI 1.2 wv:sms.5");
    let p = pdu(SUBMIT_SM, next(&mut seq), &sm_body(SERVER, PHONE, 0x40, 0x04, &sm, &[]));
    step(&mut c, &mut cap, &mut t, Dir::C2S, &p, "submit_sm CIR: 8-bit ASCII, which no real client reads");

    // One PDU over two segments.
    let sm = with_udh(&UDH_PORTS_3716, &packed(b"WVCI 1.2 wv:sms.6"));
    let p = pdu(SUBMIT_SM, next(&mut seq), &sm_body(SERVER, PHONE2, 0x40, 0xF5, &sm, &[]));
    let (a, b) = p.split_at(30);
    c.send(&mut cap, t, Dir::C2S, a, "SMPP submit_sm, its first 30 bytes");
    c.send_acked(&mut cap, t + 0.01, Dir::C2S, b, "submit_sm CIR: the rest of the PDU");
    t += 0.1;

    // Two PDUs in one segment: an ordinary text SMS (no port), then a CIR.
    let mut two =
        pdu(SUBMIT_SM, next(&mut seq), &sm_body(SERVER, PHONE2, 0, 0x00, &unpacked(b"Your code is 4821"), &[]));
    two.extend(pdu(
        SUBMIT_SM,
        next(&mut seq),
        &sm_body(SERVER, PHONE2, 0, 0x00, &unpacked(b"WVCI 1.2 wv:sms.7"), &PORT_TLVS),
    ));
    step(
        &mut c,
        &mut cap,
        &mut t,
        Dir::C2S,
        &two,
        "two submit_sm: a text SMS without a port, then a CIR with port TLVs",
    );

    // A WAP Push in three concatenated parts (UDH IE 0x00, reference 0x5A), ports 2948 from 9200.
    let mut push = vec![0x01, 0x06, 0x03, 0xC6, 0xAF, 0x8A];
    push.extend_from_slice(b"WVCI 1.2 wv:push.concatenated.8");
    for (i, part) in push.chunks(13).enumerate() {
        let udh = [0x0B, 0x00, 0x03, 0x5A, 0x03, i as u8 + 1, 0x05, 0x04, 0x0B, 0x84, 0x23, 0xF0];
        let p = pdu(SUBMIT_SM, next(&mut seq), &sm_body(SERVER, PHONE, 0x40, 0x04, &with_udh(&udh, part), &[]));
        let note =
            ["SMPP WAP Push part 1 of 3", "SMPP WAP Push part 2 of 3", "WAP Push part 3 of 3: the CIR is here"][i];
        step(&mut c, &mut cap, &mut t, Dir::C2S, &p, note);
    }

    // Two parts joined by SMPP's sar TLVs, GSM 7-bit unpacked.
    for (i, part) in [&b"WVCI 1.2 "[..], b"wv:sms.9"].into_iter().enumerate() {
        let seqnum = [i as u8 + 1];
        let sar: [(u16, &[u8]); 5] = [
            PORT_TLVS[0],
            PORT_TLVS[1],
            (TLV_SAR_MSG_REF_NUM, &[0x01, 0x09]),
            (TLV_SAR_TOTAL_SEGMENTS, &[2]),
            (TLV_SAR_SEGMENT_SEQNUM, &seqnum),
        ];
        let p = pdu(SUBMIT_SM, next(&mut seq), &sm_body(SERVER, PHONE, 0, 0x00, &unpacked(part), &sar));
        step(
            &mut c,
            &mut cap,
            &mut t,
            Dir::C2S,
            &p,
            ["SMPP sar part 1 of 2", "sar part 2 of 2: the CIR is here (port and sar TLVs)"][i],
        );
    }

    // Two parts with a 16-bit reference (IE 0x08), GSM 7-bit packed as 8-bit data: the first
    // part's 8 septets fill 7 bytes, so the parts' bytes join into one packed text.
    for (i, part) in [packed(b"WVCI 1.2"), packed(b" wv:sms.10")].iter().enumerate() {
        let udh = [0x0C, 0x08, 0x04, 0x12, 0x34, 0x02, i as u8 + 1, 0x05, 0x04, 0x0E, 0x84, 0x0E, 0x84];
        let p = pdu(SUBMIT_SM, next(&mut seq), &sm_body(SERVER, PHONE2, 0x40, 0xF5, &with_udh(&udh, part), &[]));
        step(
            &mut c,
            &mut cap,
            &mut t,
            Dir::C2S,
            &p,
            ["SMPP IE 0x08 part 1 of 2", "IE 0x08 part 2 of 2: the CIR is here"][i],
        );
    }

    // An odd server: packed septets under data_coding 0 (a byte over 0x7F is no septet).
    let sm = with_udh(&UDH_PORTS_3716, &packed(b"WVCI 1.2 wv:sms.11"));
    let p = pdu(SUBMIT_SM, next(&mut seq), &sm_body(SERVER, PHONE, 0x40, 0x00, &sm, &[]));
    step(&mut c, &mut cap, &mut t, Dir::C2S, &p, "submit_sm CIR: data_coding 0 but GSM 7-bit packed, UDH ports 3716");

    // Android's SMS HELO, delivered to the server: a septet count, then the packed text.
    let mut helo = vec![13];
    helo.extend(packed(b"HELO 3a9f0c1e"));
    let sm = with_udh(&UDH_PORTS_3716, &helo);
    let p = pdu(DELIVER_SM, 7, &sm_body(PHONE, SERVER, 0x40, 0x04, &sm, &[]));
    step(&mut c, &mut cap, &mut t, Dir::S2C, &p, "deliver_sm: Android's SMS HELO to the server");
    step(&mut c, &mut cap, &mut t, Dir::C2S, &pdu(0x8000_0005, 7, b"\0"), "SMPP deliver_sm_resp");
    step(&mut c, &mut cap, &mut t, Dir::C2S, &pdu(0x06, next(&mut seq), &[]), "SMPP unbind");
    c.close(&mut cap, t, Dir::C2S);
    cap
}
