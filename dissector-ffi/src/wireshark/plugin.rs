//! The plugin's exported symbols, its registration and its dissectors.
//!
//! Wireshark loads the library, reads `plugin_version`, `plugin_want_major` and
//! `plugin_want_minor`, and calls `plugin_register`. A load-time constructor sets the wanted
//! version to the running one when this build supports it, so one library serves every supported
//! release. Every entry point from C is wrapped in `catch_unwind`: a panic becomes an expert item,
//! never an abort of the user's Wireshark. Lengths are checked before every `tvb_*` or
//! `proto_tree_add_*` call, so no Wireshark exception (a longjmp) can cross Rust frames.

use super::abi::{self, Abi};
use super::ffi::{self, Api, EiRegisterInfo, ExpertField, ExpertFieldInfo, HeaderFieldInfo, HfRegisterInfo, NsTime};
use crate::dissect::{self, Expert, Field, Response, Severity, Sink, Source};
use crate::stats::{self, Answer, Branch, Tally};
use crate::tcp::{SegmentIn, Tracker};
use std::collections::HashMap;
use std::ffi::{CString, c_char, c_int, c_uint, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};
use wvcir::tcp::Control;
use wvcir::{Channel, PortMap, Span};

/// The plugin's version, as the characters themselves (Wireshark reads them, not a pointer).
#[unsafe(no_mangle)]
#[used]
pub static plugin_version: [u8; 6] = *b"0.1.0\0";

/// The Wireshark major version this library was made for: set at load to the running one.
#[unsafe(no_mangle)]
#[used]
pub static plugin_want_major: AtomicI32 = AtomicI32::new(4);

/// The Wireshark minor version this library was made for: set at load to the running one.
#[unsafe(no_mangle)]
#[used]
pub static plugin_want_minor: AtomicI32 = AtomicI32::new(0);

/// Runs when the library is loaded, before Wireshark compares the wanted version with its own:
/// a pointer in the section each platform's loader runs at load time (ELF `.init_array`; Windows
/// `.CRT$XCU`, which the MinGW DLL startup code runs on `DLL_PROCESS_ATTACH`; Mach-O
/// `__mod_init_func`).
#[used]
#[cfg_attr(not(any(windows, target_vendor = "apple")), unsafe(link_section = ".init_array"))]
#[cfg_attr(windows, unsafe(link_section = ".CRT$XCU"))]
#[cfg_attr(target_vendor = "apple", unsafe(link_section = "__DATA,__mod_init_func"))]
static SET_WANTED_VERSION: extern "C" fn() = set_wanted_version;

extern "C" fn set_wanted_version() {
    let _ = catch_unwind(|| {
        // Outside Wireshark (a C program using the C API) there is nothing to do.
        let Some((major, minor, _)) = ffi::running_version() else { return };
        if abi::for_version(major, minor).is_some() {
            plugin_want_major.store(major, Ordering::Relaxed);
            plugin_want_minor.store(minor, Ordering::Relaxed);
        } else {
            eprintln!(
                "wvcir: Wireshark {major}.{minor} is not supported by this build of the wvcir plugin \
                 (supported: {}); it will not be loaded",
                abi::supported_list()
            );
        }
    });
}

/// Wireshark 4.4+ asks what kind of plugin this is (its loader reads `plugin_describe` from 4.4 on,
/// not 4.2): a dissector with a tap listener, its stats tree (`WS_PLUGIN_DESC_DISSECTOR |
/// WS_PLUGIN_DESC_TAP_LISTENER`).
#[unsafe(no_mangle)]
pub extern "C" fn plugin_describe() -> u32 {
    1 | 1 << 4
}

/// Everything registration produced, for the dissectors.
struct Plugin {
    api: Api,
    abi: &'static Abi,
    proto: &'static AtomicI32,
    /// One id per [`Field::ALL`], then response_to, response_in, response_time.
    hf: &'static [AtomicI32],
    ett: &'static AtomicI32,
    experts: Vec<Expert>,
    /// Wireshark's `expert_field` array, one per `experts`; Wireshark writes the ids into it at
    /// registration and reads it when an item is added.
    ei: *mut ExpertField,
    tcp_handle: AtomicPtr,
    /// Wireshark's `tcp.port` table, and the ids of `tcp` and `tcp.payload` (set at handoff).
    tcp_port_table: AtomicPtr,
    tcp_proto: AtomicI32,
    tcp_payload: AtomicI32,
    icmp_proto: AtomicI32,
    icmpv6_proto: AtomicI32,
    /// `smpp.data_coding`, wanted by the postdissector so that it is in the tree when SMPP hands
    /// an SMS over.
    smpp_data_coding: AtomicI32,
    /// The channels' default ports, as the analyzer has them.
    ports: PortMap,
    /// The `wvcir` tap, which hands every decoded message's [`Tally`] to the statistics.
    tap: c_int,
}

/// A dissector handle set once in the handoff.
struct AtomicPtr(std::sync::atomic::AtomicPtr<c_void>);

// SAFETY: Wireshark registers and dissects on one thread; the raw pointers are to leaked,
// never-freed registration arrays that Wireshark itself reads and writes only at registration.
unsafe impl Send for Plugin {}
// SAFETY: as above.
unsafe impl Sync for Plugin {}

static PLUGIN: OnceLock<Plugin> = OnceLock::new();
/// Set between `plugin_register` and `register_protoinfo`.
static LOADED: OnceLock<(Api, &'static Abi)> = OnceLock::new();

const HF_RESPONSE_TO: usize = Field::ALL.len();
const HF_RESPONSE_IN: usize = Field::ALL.len() + 1;
const HF_RESPONSE_TIME: usize = Field::ALL.len() + 2;

static PROTO_PLUGIN: ffi::ProtoPlugin = ffi::ProtoPlugin { register_protoinfo, register_handoff };
static TAP_PLUGIN: ffi::TapPlugin = ffi::TapPlugin { register_tap_listener: register_stats_tree };

/// Called by Wireshark after loading: registers the protocol if the running version is supported.
#[unsafe(no_mangle)]
pub extern "C" fn plugin_register() {
    let _ = catch_unwind(|| {
        let Some((major, minor, _)) = ffi::running_version() else { return };
        let Some(abi) = abi::for_version(major, minor) else { return };
        let api = match Api::load() {
            Ok(api) => api,
            Err(e) => {
                eprintln!("wvcir: this Wireshark lacks a function the plugin needs ({e}); it is not registered");
                return;
            }
        };
        if LOADED.set((api, abi)).is_ok() {
            // SAFETY: a valid proto_plugin and tap_plugin with 'static lifetime, as Wireshark
            // requires.
            unsafe {
                (api.proto_register_plugin)(&PROTO_PLUGIN);
                (api.tap_register_plugin)(&TAP_PLUGIN);
            }
        }
    });
}

/// Leaks a C string: Wireshark keeps every name and abbreviation it is given.
fn leak(s: &str) -> *const c_char {
    CString::new(s.replace('\0', "")).map_or(std::ptr::null(), |c| Box::leak(c.into_boxed_c_str()).as_ptr())
}

fn hf_entry(
    id: &'static AtomicI32,
    name: &str,
    abbrev: &str,
    ft: c_int,
    display: c_int,
    strings: *const c_void,
    blurb: &str,
) -> HfRegisterInfo {
    HfRegisterInfo {
        p_id: id.as_ptr(),
        hfinfo: HeaderFieldInfo {
            name: leak(name),
            abbrev: leak(abbrev),
            type_: ft,
            display,
            strings,
            bitmask: 0,
            blurb: leak(blurb),
            id: -1,
            parent: 0,
            ref_type: 0,
            same_name_prev_id: -1,
            same_name_next: std::ptr::null_mut(),
        },
    }
}

unsafe extern "C" fn register_protoinfo() {
    let _ = catch_unwind(|| {
        let Some(&(api, abi)) = LOADED.get() else { return };
        // SAFETY: static NUL-terminated strings; Wireshark keeps the pointers.
        let proto = unsafe {
            (api.proto_register_protocol)(c"Wireless Village CSP CIR".as_ptr(), c"WV-CIR".as_ptr(), c"wvcir".as_ptr())
        };
        let proto: &'static AtomicI32 = Box::leak(Box::new(AtomicI32::new(proto)));
        let hf: &'static [AtomicI32] = Box::leak((0..HF_RESPONSE_TIME + 1).map(|_| AtomicI32::new(-1)).collect());
        let mut entries: Vec<HfRegisterInfo> = Field::ALL
            .iter()
            .zip(hf)
            .map(|(f, id)| {
                let (name, abbrev, blurb) = f.info();
                hf_entry(id, name, abbrev, abi.ft_string, abi.base_none, std::ptr::null(), blurb)
            })
            .collect();
        let framenum = |t: isize| t as *const c_void; // FRAMENUM_TYPE(x) is GINT_TO_POINTER(x)
        if let (Some(to), Some(inn), Some(time)) =
            (hf.get(HF_RESPONSE_TO), hf.get(HF_RESPONSE_IN), hf.get(HF_RESPONSE_TIME))
        {
            entries.push(hf_entry(
                to,
                "Response to",
                "wvcir.response_to",
                abi.ft_framenum,
                abi.base_none,
                framenum(abi.framenum_request),
                "The HELO or PING this OK answers",
            ));
            entries.push(hf_entry(
                inn,
                "Response in",
                "wvcir.response_in",
                abi.ft_framenum,
                abi.base_none,
                framenum(abi.framenum_response),
                "The OK that answers this HELO or PING",
            ));
            entries.push(hf_entry(
                time,
                "Response time",
                "wvcir.response_time",
                abi.ft_relative_time,
                abi.base_none,
                std::ptr::null(),
                "Time from the HELO or PING to its OK",
            ));
        }
        let entries: &'static mut [HfRegisterInfo] = Box::leak(entries.into_boxed_slice());
        let ett: &'static AtomicI32 = Box::leak(Box::new(AtomicI32::new(-1)));
        let etts: &'static [*mut c_int; 1] = Box::leak(Box::new([ett.as_ptr()]));
        let experts = Expert::all();
        let ei: &'static mut [ExpertField] =
            Box::leak(experts.iter().map(|_| ExpertField { ei: -1, hf: -1 }).collect());
        let ei_ptr = ei.as_mut_ptr();
        let ei_info: &'static mut [EiRegisterInfo] = Box::leak(
            experts
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    let (group, severity) = match e.severity() {
                        Severity::ProtocolWarn => (abi.pi_protocol, abi.pi_warn),
                        Severity::MalformedError => (abi.pi_malformed, abi.pi_error),
                    };
                    EiRegisterInfo {
                        ids: ei_ptr.wrapping_add(i),
                        eiinfo: ExpertFieldInfo {
                            name: leak(&e.filter_name()),
                            group,
                            severity,
                            summary: leak(e.summary()),
                            id: 0,
                            protocol: std::ptr::null(),
                            orig_severity: 0,
                            hf_info: HfRegisterInfo {
                                p_id: std::ptr::null_mut(),
                                hfinfo: HeaderFieldInfo {
                                    name: std::ptr::null(),
                                    abbrev: std::ptr::null(),
                                    type_: 0,
                                    display: abi.base_none,
                                    strings: std::ptr::null(),
                                    bitmask: 0,
                                    blurb: std::ptr::null(),
                                    id: -1,
                                    parent: 0,
                                    ref_type: 0,
                                    same_name_prev_id: -1,
                                    same_name_next: std::ptr::null_mut(),
                                },
                            },
                        },
                    }
                })
                .collect(),
        );
        let proto_id = proto.load(Ordering::Relaxed);
        // SAFETY: leaked ('static) arrays of the layouts Wireshark declares, with their lengths;
        // Wireshark writes the ids through the pointers they hold.
        unsafe {
            (api.proto_register_field_array)(proto_id, entries.as_mut_ptr(), entries.len() as c_int);
            (api.proto_register_subtree_array)(etts.as_ptr(), 1);
            let module = (api.expert_register_protocol)(proto_id);
            (api.expert_register_field_array)(module, ei_info.as_mut_ptr(), ei_info.len() as c_int);
            (api.register_cleanup_routine)(cleanup);
        }
        // SAFETY: static strings; the callbacks are this module's, with tap_packet_cb's and
        // srt_init_cb's C signatures.
        let tap = unsafe {
            let tap = (api.register_tap)(c"wvcir".as_ptr());
            (api.register_srt_table)(proto_id, c"wvcir".as_ptr(), 1, srt_packet, srt_init, std::ptr::null());
            tap
        };
        let _ = PLUGIN.set(Plugin {
            api,
            abi,
            proto,
            hf,
            ett,
            experts,
            ei: ei_ptr,
            tcp_handle: AtomicPtr(std::sync::atomic::AtomicPtr::new(std::ptr::null_mut())),
            tcp_port_table: AtomicPtr(std::sync::atomic::AtomicPtr::new(std::ptr::null_mut())),
            tcp_proto: AtomicI32::new(-1),
            tcp_payload: AtomicI32::new(-1),
            icmp_proto: AtomicI32::new(-1),
            icmpv6_proto: AtomicI32::new(-1),
            smpp_data_coding: AtomicI32::new(-1),
            ports: PortMap::default(),
            tap,
        });
    });
}

unsafe extern "C" fn register_handoff() {
    let _ = catch_unwind(|| {
        let Some(p) = PLUGIN.get() else { return };
        let (api, proto) = (p.api, p.proto.load(Ordering::Relaxed));
        // SAFETY: registering our extern "C" dissectors and static strings with the ids above.
        unsafe {
            // Named handles: a port preference finds its handle in the table by this name.
            let udp = (api.register_dissector)(c"wvcir.udp".as_ptr(), dissect_udp, proto);
            (api.dissector_add_uint_range_with_preference)(c"udp.port".as_ptr(), c"3716-3717".as_ptr(), udp);
            let tcp = (api.register_dissector)(c"wvcir.tcp".as_ptr(), dissect_tcp, proto);
            // IANA registers both ports for TCP too, and the analyzer watches both.
            (api.dissector_add_uint_range_with_preference)(c"tcp.port".as_ptr(), c"3716-3717".as_ptr(), tcp);
            p.tcp_handle.0.store(tcp, Ordering::Relaxed);
            p.tcp_port_table.0.store((api.find_dissector_table)(c"tcp.port".as_ptr()), Ordering::Relaxed);
            // Every TCP segment, whatever TCP's preferences withhold from subdissectors, reaches
            // the engine through a postdissector that wants TCP's own items.
            let tcp_proto = (api.proto_get_id_by_filter_name)(c"tcp".as_ptr());
            let tcp_payload = (api.proto_registrar_get_id_byname)(c"tcp.payload".as_ptr());
            let icmp = (api.proto_get_id_by_filter_name)(c"icmp".as_ptr());
            let icmpv6 = (api.proto_get_id_by_filter_name)(c"icmpv6".as_ptr());
            p.tcp_proto.store(tcp_proto, Ordering::Relaxed);
            p.tcp_payload.store(tcp_payload, Ordering::Relaxed);
            p.icmp_proto.store(icmp, Ordering::Relaxed);
            p.icmpv6_proto.store(icmpv6, Ordering::Relaxed);
            let post = (api.create_dissector_handle)(postdissect_tcp, proto);
            (api.register_postdissector)(post);
            // SMPP's data coding, so that an SMS it hands over is read in its coding.
            let data_coding = (api.proto_registrar_get_id_byname)(c"smpp.data_coding".as_ptr());
            p.smpp_data_coding.store(data_coding, Ordering::Relaxed);
            let ids: Vec<c_int> =
                [tcp_proto, tcp_payload, icmp, icmpv6, data_coding].into_iter().filter(|&id| id >= 0).collect();
            // Wireshark takes the array over.
            let wanted = (api.g_array_sized_new)(0, 0, std::mem::size_of::<c_int>() as c_uint, ids.len() as c_uint);
            (api.g_array_append_vals)(wanted, ids.as_ptr().cast(), ids.len() as c_uint);
            (api.set_postdissector_wanted_hfids)(post, wanted);
            // An SMS to application port 3716 in any SMS transport Wireshark decodes: SMPP, UCP and
            // CIMD hand their user data to the first table, GSM MAP, GSMTAP, DTAP and SIP TPDUs
            // to the second (as WSP receives WAP Push on 2948). A missing table is skipped:
            // adding to one asserts.
            let sms = (api.register_dissector)(c"wvcir.sms".as_ptr(), dissect_sms, proto);
            for table in [c"gsm_sms_ud.udh.port", c"gsm_sms.udh.port"] {
                if !(api.find_dissector_table)(table.as_ptr()).is_null() {
                    (api.dissector_add_uint)(table.as_ptr(), u32::from(wvcir::PORT_SMS_CIR), sms);
                }
            }
            let media = (api.register_dissector)(c"wvcir.media".as_ptr(), dissect_media, proto);
            (api.dissector_add_string)(c"media_type".as_ptr(), c"application/vnd.wv.csp.cir".as_ptr(), media);
            let on = p.abi.heuristic_enable;
            (api.heur_dissector_add)(
                c"udp".as_ptr(),
                heur_udp,
                c"Wireless Village CIR over UDP".as_ptr(),
                c"wvcir_udp".as_ptr(),
                proto,
                on,
            );
            (api.heur_dissector_add)(
                c"tcp".as_ptr(),
                heur_tcp,
                c"Wireless Village CIR over TCP".as_ptr(),
                c"wvcir_tcp".as_ptr(),
                proto,
                on,
            );
        }
    });
}

/// The per-packet data key under which an SMS's SMPP data coding is kept (the low 16 bits hash
/// its payload).
const SMS_CODING_KEY: u32 = 0x5C_0000;

/// TCP state of the open capture file; cleared when Wireshark closes it.
#[derive(Default)]
struct State {
    tracker: Tracker,
    /// Frame number -> frame token and where its TCP payload lies in the frame (offset, length),
    /// for the frames of tracked connections.
    frames: HashMap<u32, (usize, Option<(usize, usize)>)>,
    /// The last frame the first pass fed: frames come in order in the first pass, and a frame at
    /// or below this one is being shown again.
    first_pass_at: u32,
}

static STATE: Mutex<Option<State>> = Mutex::new(None);

/// The plugin's state, whatever a caught panic left behind: a panic while it was held must not
/// stop TCP dissection for the rest of the file (it is plain data; the worst a panic leaves is
/// one connection's lines cut short).
fn state() -> MutexGuard<'static, Option<State>> {
    STATE.lock().unwrap_or_else(|poisoned| {
        STATE.clear_poison();
        poisoned.into_inner()
    })
}

unsafe extern "C" fn cleanup() {
    let _ = catch_unwind(|| *state() = None);
}

/// The last TCP header and payload of a frame, as Wireshark's TCP dissector placed them.
struct TcpSeen<'a> {
    ds_tvb: *mut ffi::Tvb,
    sport: u16,
    dport: u16,
    seq: u32,
    control: Control,
    payload: &'a [u8],
    /// Offset of the payload in `ds_tvb`.
    payload_at: usize,
}

/// A field item's place: `length` bytes at `start` of `ds_tvb`.
struct Finfo {
    start: usize,
    length: usize,
    ds_tvb: *mut ffi::Tvb,
}

/// One call of a dissector: the C arguments and the registration.
struct Ctx {
    p: &'static Plugin,
    tvb: *mut ffi::Tvb,
    pinfo: *mut ffi::PacketInfo,
    tree: *mut ffi::ProtoTree,
}

impl Ctx {
    fn new(tvb: *mut ffi::Tvb, pinfo: *mut ffi::PacketInfo, tree: *mut ffi::ProtoTree) -> Option<Ctx> {
        let p = PLUGIN.get()?;
        (!tvb.is_null() && !pinfo.is_null()).then_some(Ctx { p, tvb, pinfo, tree })
    }

    /// The captured bytes of `tvb`, borrowed for this call.
    fn bytes(&self, tvb: *mut ffi::Tvb) -> &[u8] {
        // SAFETY: a tvb Wireshark passed us (or made for us) in this call.
        let len = unsafe { (self.p.api.tvb_captured_length)(tvb) } as usize;
        if len == 0 || len > i32::MAX as usize {
            return &[];
        }
        // SAFETY: offset 0 and exactly the captured length, so no exception; the bytes live as
        // long as the tvb, which outlives this call.
        let ptr = unsafe { (self.p.api.tvb_get_ptr)(tvb, 0, len as c_int) };
        if ptr.is_null() {
            return &[];
        }
        // SAFETY: Wireshark returned a pointer to `len` contiguous captured bytes.
        unsafe { std::slice::from_raw_parts(ptr, len) }
    }

    fn pinfo_u32(&self, offset: usize) -> u32 {
        // SAFETY: `offset` is the checked offset of a 32-bit field of packet_info for the running
        // version (see abi.rs); pinfo is valid for this call.
        unsafe { std::ptr::read_unaligned(self.pinfo.cast::<u8>().add(offset).cast::<u32>()) }
    }

    fn frame(&self) -> u32 {
        self.pinfo_u32(self.p.abi.pinfo_num)
    }

    fn ports(&self) -> (u32, u32) {
        (self.pinfo_u32(self.p.abi.pinfo_srcport), self.pinfo_u32(self.p.abi.pinfo_destport))
    }

    /// The frame's time, in nanoseconds since the epoch.
    fn abs_ts(&self) -> i64 {
        // SAFETY: abs_ts is an nstime_t (i64 seconds, int nanoseconds) at the checked offset.
        let t =
            unsafe { std::ptr::read_unaligned(self.pinfo.cast::<u8>().add(self.p.abi.pinfo_abs_ts).cast::<NsTime>()) };
        t.secs.saturating_mul(1_000_000_000).saturating_add(i64::from(t.nsecs))
    }

    fn cinfo(&self) -> *mut c_void {
        // SAFETY: cinfo is a pointer at the checked offset.
        unsafe { std::ptr::read_unaligned(self.pinfo.cast::<u8>().add(self.p.abi.pinfo_cinfo).cast::<*mut c_void>()) }
    }

    fn sink(&self, tvb: *mut ffi::Tvb, shift: usize) -> WsSink<'_> {
        let len = self.bytes(tvb).len();
        WsSink {
            ctx: self,
            tvb,
            frame_tvb: tvb,
            base: 0,
            len,
            shift,
            subtree: std::ptr::null_mut(),
            messages: 0,
            tallies: Vec::new(),
        }
    }

    fn udp(&self) -> c_int {
        let payload = self.bytes(self.tvb);
        let (sp, dp) = self.ports();
        let channel = if sp == 3716 || dp == 3716 || wvcir::detect(payload) == Some(wvcir::Detected::CirGsm7) {
            Channel::Sms
        } else {
            Channel::Udp
        };
        let mut sink = self.sink(self.tvb, 0);
        if dissect::datagram(&mut sink, channel, payload) == 0 {
            return 0;
        }
        payload.len() as c_int
    }

    /// The user data of an SMS to port 3716, from Wireshark's SMS dissectors; read in the data
    /// coding SMPP showed for it, if SMPP carried it.
    fn sms(&self) -> c_int {
        let payload = self.bytes(self.tvb);
        let coding = self.smpp_data_coding(payload).map_or(wvcir::sms::Coding::Unknown, wvcir::sms::Coding::from_smpp);
        let mut sink = self.sink(self.tvb, 0);
        if dissect::sms(&mut sink, payload, coding) == 0 {
            return 0;
        }
        payload.len() as c_int
    }

    /// The `data_coding` of the SMPP PDU whose user data is `payload`: read from the tree when
    /// it is there (the first pass primes the field), and kept in the frame's file-scoped data
    /// for later passes, keyed by the payload (a frame may hold several PDUs).
    fn smpp_data_coding(&self, payload: &[u8]) -> Option<u8> {
        let (api, proto) = (self.p.api, self.p.proto.load(Ordering::Relaxed));
        let key = SMS_CODING_KEY
            | (payload.iter().fold(0x811C_9DC5u32, |h, &b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193)) & 0xFFFF);
        let seen = self
            .finfos(self.p.smpp_data_coding.load(Ordering::Relaxed))
            .last()
            .and_then(|f| self.bytes(f.ds_tvb).get(f.start).copied());
        // The coding travels as a non-null pointer value (coding + 1), not as allocated memory.
        // SAFETY: pinfo is this call's; the scope is the file's, which outlives every pass.
        unsafe {
            let kept = (api.p_get_proto_data)((api.wmem_file_scope)(), self.pinfo, proto, key) as usize;
            match (seen, kept) {
                (Some(c), 0) => {
                    (api.p_add_proto_data)(
                        (api.wmem_file_scope)(),
                        self.pinfo,
                        proto,
                        key,
                        (usize::from(c) + 1) as *mut c_void,
                    );
                    Some(c)
                }
                (Some(c), _) => Some(c),
                (None, 0) => None,
                (None, k) => u8::try_from(k - 1).ok(),
            }
        }
    }

    fn media(&self) -> c_int {
        let payload = self.bytes(self.tvb);
        let mut sink = self.sink(self.tvb, 0);
        if dissect::media_body(&mut sink, payload) == 0 {
            return 0;
        }
        payload.len() as c_int
    }

    /// The TCP segment of this frame, read from the items of Wireshark's own TCP dissector (the
    /// postdissector wants `tcp` and `tcp.payload`, so they are there with or without a tree).
    fn tcp_seen(&self) -> Option<TcpSeen<'_>> {
        let p = self.p;
        // A TCP header quoted in an ICMP error is not a segment (the analyzer reads none either).
        let icmp = [p.icmp_proto.load(Ordering::Relaxed), p.icmpv6_proto.load(Ordering::Relaxed)];
        if icmp.into_iter().any(|id| !self.finfos(id).is_empty()) {
            return None;
        }
        // The innermost TCP layer (the one the conversation and ports are of).
        let tcp = self.finfos(p.tcp_proto.load(Ordering::Relaxed)).pop()?;
        let header = self.bytes(tcp.ds_tvb).get(tcp.start..tcp.start.checked_add(20)?)?;
        let be16 = |i: usize| Some(u16::from_be_bytes([*header.get(i)?, *header.get(i + 1)?]));
        let seq = u32::from_be_bytes([*header.get(4)?, *header.get(5)?, *header.get(6)?, *header.get(7)?]);
        let data_offset = usize::from(*header.get(12)? >> 4) * 4;
        if data_offset < 20 {
            return None; // a bogus header: TCP itself shows no payload
        }
        let flags = be16(12)? & 0x0FFF;
        // This layer's payload item starts right after its header, in the same data source. A
        // RST's data is shown as its reset cause, not a payload (and is no stream data).
        let payload_at = tcp.start + data_offset;
        let item = self
            .finfos(p.tcp_payload.load(Ordering::Relaxed))
            .into_iter()
            .find(|f| f.ds_tvb == tcp.ds_tvb && f.start == payload_at);
        let payload = match item {
            Some(fi) => self.bytes(fi.ds_tvb).get(fi.start..fi.start.checked_add(fi.length)?)?,
            None => &[][..],
        };
        Some(TcpSeen {
            ds_tvb: tcp.ds_tvb,
            sport: be16(0)?,
            dport: be16(2)?,
            seq,
            control: Control::from_bits(flags),
            payload,
            payload_at,
        })
    }

    /// The items of field `id` in this frame's tree, in tree order (only fields the
    /// postdissector wants are there, and only in the first pass).
    fn finfos(&self, id: c_int) -> Vec<Finfo> {
        if id < 0 || self.tree.is_null() {
            return Vec::new();
        }
        let abi = self.p.abi;
        // SAFETY: a tree Wireshark passed us and a registered field id; the array (or NULL) is
        // Wireshark's, valid for this call.
        let array = unsafe { (self.p.api.proto_get_finfo_ptr_array)(self.tree, id) };
        if array.is_null() {
            return Vec::new();
        }
        // SAFETY: a GPtrArray of `len` field_info pointers.
        let items = unsafe {
            let a = &*array;
            if a.pdata.is_null() { &[][..] } else { std::slice::from_raw_parts(a.pdata, a.len as usize) }
        };
        items
            .iter()
            .filter(|fi| !fi.is_null())
            .filter_map(|&fi| {
                let fi = fi.cast::<u8>();
                // SAFETY: `fi` is a live field_info; its start, length and ds_tvb sit at the
                // offsets of the running release (abi.rs, checked against its headers).
                let (start, length, ds_tvb) = unsafe {
                    (
                        std::ptr::read_unaligned(fi.add(abi.finfo_start).cast::<c_int>()),
                        std::ptr::read_unaligned(fi.add(abi.finfo_length).cast::<c_int>()),
                        std::ptr::read_unaligned(fi.add(abi.finfo_ds_tvb).cast::<*mut ffi::Tvb>()),
                    )
                };
                let f = Finfo { start: usize::try_from(start).ok()?, length: usize::try_from(length).ok()?, ds_tvb };
                (!ds_tvb.is_null()).then_some(f)
            })
            .collect()
    }

    /// Whether Wireshark's `tcp.port` table sends this port to the plugin (its preference, and
    /// Decode As, decide).
    fn our_tcp_port(&self, port: u16) -> bool {
        let p = self.p;
        let table = p.tcp_port_table.0.load(Ordering::Relaxed);
        let ours = p.tcp_handle.0.load(Ordering::Relaxed);
        // SAFETY: a table found at handoff; the lookup returns a handle or NULL.
        !table.is_null() && unsafe { (p.api.dissector_get_uint_handle)(table, c_uint::from(port)) } == ours
    }

    /// The postdissector: every TCP segment of every frame goes to the TCP engine in the first
    /// pass; every pass shows the lines the frame completes. Later passes need no TCP items (a
    /// tree may not even be built then): the frame's payload is found where the first pass saw it.
    fn tcp_post(&self) -> c_int {
        let frame = self.frame();
        let mut guard = state();
        let st = guard.get_or_insert_with(State::default);
        let (token, payload_place) = if frame > st.first_pass_at {
            let Some(seg) = self.tcp_seen() else { return 0 };
            st.first_pass_at = frame;
            let Some(token) = self.feed(st, &seg, frame) else { return 0 };
            // Where the payload lies in the frame itself; a payload in another data source (IP
            // reassembly) keeps copies of its lines instead.
            let place = if seg.ds_tvb == self.tvb {
                Some((seg.payload_at, seg.payload.len()))
            } else {
                st.tracker.keep_copies(token, seg.payload);
                None
            };
            st.frames.insert(frame, (token, place));
            (token, place)
        } else {
            match st.frames.get(&frame) {
                Some(&t) => t,
                None => return 0,
            }
        };
        let frame_bytes = self.bytes(self.tvb);
        let (base, payload) = match payload_place {
            Some((at, len)) => (at, frame_bytes.get(at..at.saturating_add(len)).unwrap_or_default()),
            None => (0, &[][..]),
        };
        let Some((lines, spoke)) = st.tracker.shown(token) else { return 0 };
        if !spoke {
            return 0;
        }
        if cfg!(feature = "panic-probe") && payload.starts_with(dissect::PANIC_PROBE) {
            panic!("wvcir panic probe, with the state lock held");
        }
        if lines.is_empty() {
            if !payload.is_empty() {
                // SAFETY: cinfo from pinfo; static strings.
                unsafe {
                    let (api, cinfo) = (&self.p.api, self.cinfo());
                    (api.col_set_str)(cinfo, self.p.abi.col_protocol, c"WV-CIR".as_ptr());
                    (api.col_set_str)(cinfo, self.p.abi.col_info, c"[TCP segment of a CIR channel line]".as_ptr());
                }
            }
            return 0;
        }
        let mut sink = self.sink(self.tvb, base);
        sink.base = base;
        dissect::tcp_lines(&mut sink, lines, payload);
        0
    }

    /// Feeds a first-pass segment to its connection, if the connection is tracked: on a CIR TCP
    /// port, already tracked, or starting like a CIR (the heuristic). Returns the frame token.
    fn feed(&self, st: &mut State, seg: &TcpSeen<'_>, frame: u32) -> Option<usize> {
        let api = &self.p.api;
        let proto = self.p.proto.load(Ordering::Relaxed);
        // SAFETY: pinfo is valid; TCP set the conversation's addresses and ports.
        let conv = unsafe { (api.find_or_create_conversation)(self.pinfo) };
        // SAFETY: our own token (an index + 1), never dereferenced.
        let conn = unsafe { (api.conversation_get_proto_data)(conv, proto) } as usize;
        let tracked = conn > 0
            || self.our_tcp_port(seg.dport)
            || self.our_tcp_port(seg.sport)
            || wvcir::detect(seg.payload) == Some(wvcir::Detected::CirText);
        if !tracked {
            return None;
        }
        let input = SegmentIn {
            conn,
            frame,
            ts: self.abs_ts(),
            src_port: seg.sport,
            dst_port: seg.dport,
            seq: seg.seq,
            control: seg.control,
            payload: seg.payload,
        };
        let (conn_token, frame_token) = st.tracker.segment(&self.p.ports, &input);
        if conn == 0 {
            // SAFETY: storing a token as the conversation's data for our protocol.
            unsafe { (api.conversation_add_proto_data)(conv, proto, conn_token as *mut c_void) };
        }
        Some(frame_token)
    }

    /// The TCP subdissector (port table, heuristic): only claims the payload of a connection that
    /// speaks the protocol, so that it is not shown as "Data"; the postdissector shows its lines.
    fn tcp_claim(&self) -> c_int {
        let api = &self.p.api;
        let payload_len = self.bytes(self.tvb).len();
        // SAFETY: pinfo is valid; our own token.
        let conn = unsafe {
            let conv = (api.find_or_create_conversation)(self.pinfo);
            (api.conversation_get_proto_data)(conv, self.p.proto.load(Ordering::Relaxed)) as usize
        };
        let spoke = state().as_ref().is_some_and(|s| s.tracker.spoke(conn));
        if spoke { payload_len as c_int } else { 0 }
    }

    /// A line that began in an earlier segment, as its own data source ("Reassembled CIR line").
    fn reassembled(&self, bytes: &[u8]) -> *mut ffi::Tvb {
        let api = &self.p.api;
        // SAFETY: the copy lives in file scope, as long as the child tvb that points to it.
        unsafe {
            let copy = (api.wmem_memdup)((api.wmem_file_scope)(), bytes.as_ptr().cast(), bytes.len());
            let child = (api.tvb_new_child_real_data)(self.tvb, copy.cast(), bytes.len() as u32, bytes.len() as c_int);
            (api.add_new_data_source)(self.pinfo, child, c"Reassembled CIR line".as_ptr());
            child
        }
    }
}

/// Writes into Wireshark's tree: one protocol item per message, its fields, its expert items.
struct WsSink<'a> {
    ctx: &'a Ctx,
    tvb: *mut ffi::Tvb,
    /// The tvb the payload lies in, and where it starts there (a TCP payload in its frame).
    frame_tvb: *mut ffi::Tvb,
    base: usize,
    len: usize,
    /// Added to every span (a line inside a segment).
    shift: usize,
    subtree: *mut ffi::ProtoTree,
    messages: usize,
    /// The statistics of the messages written, queued to the tap when the sink is done.
    tallies: Vec<Tally>,
}

impl Drop for WsSink<'_> {
    /// Queues every message's tally to the `wvcir` tap, copied into the packet's pool, where it
    /// lives until the taps have run at the end of the frame.
    fn drop(&mut self) {
        let c = self.ctx;
        // SAFETY: the tap id register_tap returned.
        if self.tallies.is_empty() || c.p.tap < 0 || unsafe { (c.p.api.have_tap_listener)(c.p.tap) } == 0 {
            return;
        }
        // SAFETY: `pool` is a pointer at the checked offset of the running release (abi.rs).
        let pool =
            unsafe { std::ptr::read_unaligned(c.pinfo.cast::<u8>().add(c.p.abi.pinfo_pool).cast::<*mut c_void>()) };
        if pool.is_null() {
            return;
        }
        for t in &self.tallies {
            // SAFETY: a plain-data copy into the packet's pool, which outlives the frame's taps;
            // the tap id is the one register_tap returned.
            unsafe {
                let copy = (c.p.api.wmem_memdup)(pool, (t as *const Tally).cast(), std::mem::size_of::<Tally>());
                if !copy.is_null() {
                    (c.p.api.tap_queue_packet)(c.p.tap, c.pinfo, copy);
                }
            }
        }
    }
}

impl WsSink<'_> {
    /// A span inside the tvb, clamped so that no `proto_tree_add_*` call can throw.
    fn clamp(&self, s: Span) -> (c_int, c_int) {
        let start = (s.offset + self.shift).min(self.len);
        let len = s.len.min(self.len - start);
        (start as c_int, len as c_int)
    }

    fn hf(&self, i: usize) -> c_int {
        self.ctx.p.hf.get(i).map_or(-1, |a| a.load(Ordering::Relaxed))
    }

    fn add_frame_ref(&self, hf: usize, frame: u32, span: Span) {
        let (start, len) = self.clamp(span);
        // SAFETY: a registered field id, our tvb, a clamped span.
        let item =
            unsafe { (self.ctx.p.api.proto_tree_add_uint)(self.subtree, self.hf(hf), self.tvb, start, len, frame) };
        set_generated(self.ctx.p.abi, item);
    }
}

impl Sink for WsSink<'_> {
    fn source(&mut self, source: Source<'_>) {
        match source {
            Source::Payload { shift } => {
                self.tvb = self.frame_tvb;
                self.len = self.ctx.bytes(self.frame_tvb).len();
                self.shift = self.base + shift;
            }
            Source::Reassembled(bytes) => {
                self.tvb = self.ctx.reassembled(bytes);
                self.len = bytes.len();
                self.shift = 0;
            }
        }
    }

    /// The pairing of a request and its answer: not bytes of this frame but derived, so shown as
    /// Wireshark shows its own derived fields (`[Response to: 4]`).
    fn response(&mut self, response: Response, span: Span) {
        match response {
            Response::To { frame, nanos, request } => {
                if let Some(t) = self.tallies.last_mut() {
                    t.answers = Some(Answer { request, nanos });
                }
                self.add_frame_ref(HF_RESPONSE_TO, frame, span);
                let (start, len) = self.clamp(span);
                let t =
                    NsTime { secs: nanos.div_euclid(1_000_000_000), nsecs: nanos.rem_euclid(1_000_000_000) as c_int };
                let api = &self.ctx.p.api;
                // SAFETY: a registered field id, our tvb, a clamped span, a valid nstime_t.
                let item = unsafe {
                    (api.proto_tree_add_time)(self.subtree, self.hf(HF_RESPONSE_TIME), self.tvb, start, len, &t)
                };
                set_generated(self.ctx.p.abi, item);
            }
            Response::In { frame } => self.add_frame_ref(HF_RESPONSE_IN, frame, span),
        }
    }

    fn message(&mut self, span: Span, summary: &str) {
        let c = self.ctx;
        let api = &c.p.api;
        let (start, len) = self.clamp(span);
        let text = CString::new(summary.replace('\0', "")).unwrap_or_default();
        // SAFETY: the protocol id, our tvb and a clamped span; cinfo from pinfo; col_add_str and
        // col_append_sep_str copy the text.
        unsafe {
            let item = (api.proto_tree_add_item)(c.tree, c.p.proto.load(Ordering::Relaxed), self.tvb, start, len, 0);
            self.subtree = (api.proto_item_add_subtree)(item, c.p.ett.load(Ordering::Relaxed));
            let cinfo = c.cinfo();
            if self.messages == 0 {
                (api.col_set_str)(cinfo, c.p.abi.col_protocol, c"WV-CIR".as_ptr());
                (api.col_clear)(cinfo, c.p.abi.col_info);
                (api.col_add_str)(cinfo, c.p.abi.col_info, text.as_ptr());
            } else {
                (api.col_append_sep_str)(cinfo, c.p.abi.col_info, c", ".as_ptr(), text.as_ptr());
            }
        }
        self.messages += 1;
    }

    fn field(&mut self, field: Field, span: Span, value: &str) {
        let Some(i) = Field::ALL.iter().position(|f| *f == field) else { return };
        let (start, len) = self.clamp(span);
        let value = CString::new(value.replace('\0', "")).unwrap_or_default();
        // SAFETY: a registered string field, our tvb, a clamped span; the string is copied.
        unsafe {
            (self.ctx.p.api.proto_tree_add_string)(self.subtree, self.hf(i), self.tvb, start, len, value.as_ptr())
        };
    }

    fn tally(&mut self, tally: &Tally) {
        self.tallies.push(*tally);
    }

    fn expert(&mut self, expert: Expert, span: Span) {
        let p = self.ctx.p;
        let Some(i) = p.experts.iter().position(|e| *e == expert) else { return };
        let (start, len) = self.clamp(span);
        // SAFETY: `ei` holds one registered expert_field per `experts`; clamped span.
        unsafe {
            (p.api.proto_tree_add_expert)(self.subtree, self.ctx.pinfo, p.ei.wrapping_add(i), self.tvb, start, len)
        };
    }
}

/// What `proto_item_set_generated()` (a static inline, so not in the library) does: sets
/// `FI_GENERATED` in the item's `field_info`. A NULL item (no tree) or NULL `finfo` is left alone,
/// as there.
fn set_generated(abi: &Abi, item: *mut ffi::ProtoItem) {
    if item.is_null() {
        return;
    }
    // SAFETY: a proto_item is a proto_node, whose `finfo` pointer sits at `pnode_finfo` for the
    // running release (its table, checked against that release's headers by abi_check.c).
    let finfo = unsafe { std::ptr::read_unaligned(item.cast::<u8>().add(abi.pnode_finfo).cast::<*mut u8>()) };
    if finfo.is_null() {
        return;
    }
    // SAFETY: `finfo` points to the item's live field_info, whose u32 `flags` sits at
    // FIELD_INFO_FLAGS (checked likewise); Wireshark does the same read-modify-write.
    unsafe {
        let flags = finfo.add(ffi::FIELD_INFO_FLAGS).cast::<u32>();
        flags.write_unaligned(flags.read_unaligned() | ffi::FI_GENERATED);
    }
}

/// Runs a dissector body behind a panic boundary; a panic is shown as an expert item.
fn guard(
    tvb: *mut ffi::Tvb,
    pinfo: *mut ffi::PacketInfo,
    tree: *mut ffi::ProtoTree,
    body: impl FnOnce(&Ctx) -> c_int,
) -> c_int {
    let Some(ctx) = Ctx::new(tvb, pinfo, tree) else { return 0 };
    match catch_unwind(AssertUnwindSafe(|| body(&ctx))) {
        Ok(n) => n,
        Err(_) => {
            let _ = catch_unwind(AssertUnwindSafe(|| {
                let mut sink = ctx.sink(tvb, 0);
                sink.message(Span::new(0, 0), "[wvcir internal error]");
                sink.expert(Expert::InternalError, Span::new(0, 0));
            }));
            0
        }
    }
}

unsafe extern "C" fn dissect_udp(
    tvb: *mut ffi::Tvb,
    pinfo: *mut ffi::PacketInfo,
    tree: *mut ffi::ProtoTree,
    _: *mut c_void,
) -> c_int {
    guard(tvb, pinfo, tree, Ctx::udp)
}

unsafe extern "C" fn dissect_sms(
    tvb: *mut ffi::Tvb,
    pinfo: *mut ffi::PacketInfo,
    tree: *mut ffi::ProtoTree,
    _: *mut c_void,
) -> c_int {
    guard(tvb, pinfo, tree, Ctx::sms)
}

unsafe extern "C" fn dissect_media(
    tvb: *mut ffi::Tvb,
    pinfo: *mut ffi::PacketInfo,
    tree: *mut ffi::ProtoTree,
    _: *mut c_void,
) -> c_int {
    guard(tvb, pinfo, tree, Ctx::media)
}

unsafe extern "C" fn dissect_tcp(
    tvb: *mut ffi::Tvb,
    pinfo: *mut ffi::PacketInfo,
    tree: *mut ffi::ProtoTree,
    _: *mut c_void,
) -> c_int {
    guard(tvb, pinfo, tree, Ctx::tcp_claim)
}

unsafe extern "C" fn postdissect_tcp(
    tvb: *mut ffi::Tvb,
    pinfo: *mut ffi::PacketInfo,
    tree: *mut ffi::ProtoTree,
    _: *mut c_void,
) -> c_int {
    guard(tvb, pinfo, tree, Ctx::tcp_post)
}

/// A CIR on any UDP port: the `WVCI` keyword (text, GSM 7-bit or WSP push), never a bare HELO.
unsafe extern "C" fn heur_udp(
    tvb: *mut ffi::Tvb,
    pinfo: *mut ffi::PacketInfo,
    tree: *mut ffi::ProtoTree,
    _: *mut c_void,
) -> c_int {
    guard(tvb, pinfo, tree, |c| {
        let payload = c.bytes(c.tvb);
        let Some(d) = wvcir::detect(payload) else { return 0 };
        let mut sink = c.sink(c.tvb, 0);
        c_int::from(dissect::datagram(&mut sink, d.udp_channel(), payload) > 0)
    })
}

/// A TCP CIR channel on any port: a segment starting with `WVCI `; the conversation is then
/// handed to the TCP dissector for its following segments.
unsafe extern "C" fn heur_tcp(
    tvb: *mut ffi::Tvb,
    pinfo: *mut ffi::PacketInfo,
    tree: *mut ffi::ProtoTree,
    data: *mut c_void,
) -> c_int {
    guard(tvb, pinfo, tree, |c| {
        if wvcir::detect(c.bytes(c.tvb)) != Some(wvcir::Detected::CirText) {
            return 0;
        }
        let api = &c.p.api;
        // SAFETY: pinfo valid; the handle was created in the handoff.
        unsafe {
            let conv = (api.find_or_create_conversation)(c.pinfo);
            (api.conversation_set_dissector)(conv, c.p.tcp_handle.0.load(Ordering::Relaxed));
        }
        let _ = data;
        c.bytes(c.tvb).len() as c_int
    })
}

/// The stats tree's top-level node ids, set by its init (the same in every tree instance).
static BRANCH_IDS: [AtomicI32; Branch::ALL.len()] = [const { AtomicI32::new(0) }; Branch::ALL.len()];

/// Each open stats tree's named versions (by its `stats_tree *`), from its init to its cleanup.
static TREE_VERSIONS: Mutex<Option<HashMap<usize, stats::VersionNames>>> = Mutex::new(None);

fn tree_versions() -> MutexGuard<'static, Option<HashMap<usize, stats::VersionNames>>> {
    TREE_VERSIONS.lock().unwrap_or_else(|poisoned| {
        TREE_VERSIONS.clear_poison();
        poisoned.into_inner()
    })
}

/// Registers the stats tree (`tshark -z wvcir,tree`, Statistics > WV-CIR), when Wireshark
/// registers tap listeners.
unsafe extern "C" fn register_stats_tree() {
    let _ = catch_unwind(|| {
        let Some(&(api, _)) = LOADED.get() else { return };
        // SAFETY: static strings; this module's callbacks with the C signatures; no cleanup.
        unsafe {
            (api.stats_tree_register_plugin)(
                c"wvcir".as_ptr(),
                c"wvcir".as_ptr(),
                c"WV-CIR".as_ptr(),
                0,
                stats_packet,
                stats_init,
                Some(stats_cleanup),
            )
        };
    });
}

unsafe extern "C" fn stats_init(st: ffi::Opaque) {
    let _ = catch_unwind(|| {
        let Some(p) = PLUGIN.get() else { return };
        tree_versions().get_or_insert_with(HashMap::new).insert(st as usize, stats::VersionNames::default());
        for (branch, id) in Branch::ALL.iter().zip(&BRANCH_IDS) {
            // SAFETY: the tree Wireshark passed; a static title; a top-level node with children.
            let node = unsafe { (p.api.stats_tree_create_node)(st, branch.title().as_ptr(), 0, ffi::STAT_DT_INT, 1) };
            id.store(node, Ordering::Relaxed);
        }
    });
}

unsafe extern "C" fn stats_cleanup(st: ffi::Opaque) {
    let _ = catch_unwind(|| {
        if let Some(trees) = tree_versions().as_mut() {
            trees.remove(&(st as usize));
        }
    });
}

/// The tally a `wvcir` tap listener is handed.
fn tapped(data: *const c_void) -> Option<Tally> {
    // SAFETY: the `wvcir` tap carries only tallies this plugin queued (WsSink's drop), copied
    // into the packet's pool, which lives until the frame's taps have run.
    (!data.is_null()).then(|| unsafe { std::ptr::read_unaligned(data.cast::<Tally>()) })
}

/// Counts one message: its branch totals and their leaves.
unsafe extern "C" fn stats_packet(
    st: ffi::Opaque,
    _pinfo: *mut ffi::PacketInfo,
    _edt: *mut c_void,
    data: *const c_void,
    _flags: c_uint,
) -> c_int {
    let _ = catch_unwind(|| {
        let Some(p) = PLUGIN.get() else { return };
        let Some(t) = tapped(data) else { return };
        for (branch, leaf) in t.ticks() {
            let Some(i) = Branch::ALL.iter().position(|b| *b == branch) else { continue };
            let leaf = if branch == Branch::Version {
                let mut trees = tree_versions();
                let names = trees.get_or_insert_with(HashMap::new).entry(st as usize).or_default();
                names.leaf(&leaf).to_owned()
            } else {
                leaf
            };
            let parent = BRANCH_IDS.get(i).map_or(0, |id| id.load(Ordering::Relaxed));
            let leaf = CString::new(leaf.replace('\0', "")).unwrap_or_default();
            // SAFETY: the tree Wireshark passed; names are copied by Wireshark when a node is made.
            unsafe {
                (p.api.stats_tree_manip_node_int)(ffi::MN_INCREASE, st, branch.title().as_ptr(), 0, 0, 1);
                (p.api.stats_tree_manip_node_int)(ffi::MN_INCREASE, st, leaf.as_ptr(), parent, 0, 1);
            }
        }
    });
    ffi::TAP_PACKET_REDRAW
}

/// The service response time table (`tshark -z wvcir,srt`): HELO and PING to their OK.
unsafe extern "C" fn srt_init(_srt: ffi::Opaque, srt_array: *mut ffi::GArray) {
    let _ = catch_unwind(|| {
        let Some(p) = PLUGIN.get() else { return };
        // SAFETY: the array Wireshark passed; static strings (Wireshark copies them); no filter.
        unsafe {
            let table = (p.api.init_srt_table)(
                c"WV-CIR Response Time".as_ptr(),
                std::ptr::null(),
                srt_array,
                stats::SRT_ROWS.len() as c_int,
                c"Request".as_ptr(),
                std::ptr::null(),
                std::ptr::null_mut(),
            );
            for (i, (_, name)) in stats::SRT_ROWS.iter().enumerate() {
                (p.api.init_srt_table_row)(table, i as c_int, name.as_ptr());
            }
        }
    });
}

/// Adds an OK's response time to its request's row.
unsafe extern "C" fn srt_packet(
    tapdata: ffi::Opaque,
    pinfo: *mut ffi::PacketInfo,
    _edt: *mut c_void,
    data: *const c_void,
    _flags: c_uint,
) -> c_int {
    let redraw = catch_unwind(|| {
        let Some(p) = PLUGIN.get() else { return false };
        let Some(t) = tapped(data).filter(|_| !tapdata.is_null() && !pinfo.is_null()) else { return false };
        let Some(Answer { request, nanos }) = t.answers else { return false };
        let Some(row) = stats::srt_row(request) else { return false };
        // SAFETY: an SRT listener's data is an srt_data_t whose array holds the tables srt_init
        // made (one); checked for length before the read.
        let table = unsafe {
            let array = (*tapdata.cast::<ffi::SrtData>()).srt_array;
            if array.is_null() || (*array).len < 1 || (*array).data.is_null() {
                return false;
            }
            *(*array).data.cast::<ffi::Opaque>()
        };
        // The request's time: Wireshark measures from it to this frame.
        // SAFETY: abs_ts is an nstime_t at the checked offset.
        let now = unsafe { std::ptr::read_unaligned(pinfo.cast::<u8>().add(p.abi.pinfo_abs_ts).cast::<NsTime>()) };
        let at = now.secs.saturating_mul(1_000_000_000).saturating_add(i64::from(now.nsecs)).saturating_sub(nanos);
        let req = NsTime { secs: at.div_euclid(1_000_000_000), nsecs: at.rem_euclid(1_000_000_000) as c_int };
        // SAFETY: the table init_srt_table made, a row it has, a valid nstime_t and pinfo.
        unsafe { (p.api.add_srt_table_data)(table, row as c_int, &req, pinfo) };
        true
    });
    if redraw.unwrap_or(false) { ffi::TAP_PACKET_REDRAW } else { 0 }
}

/// For tests: the names and filter names the plugin registers.
pub fn registered_filters() -> Vec<String> {
    let mut v: Vec<String> = Field::ALL.iter().map(|f| f.info().1.to_owned()).collect();
    v.extend(["wvcir.response_to", "wvcir.response_in", "wvcir.response_time"].map(String::from));
    v.extend(Expert::all().iter().map(|e| e.filter_name()));
    v
}
