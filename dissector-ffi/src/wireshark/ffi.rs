//! Wireshark's C types and functions, resolved at run time.
//!
//! The plugin links against nothing: [`Api::load`] looks every function up in the process that
//! loaded the plugin (`dlopen(NULL)`; on Windows, in the DLLs it has already loaded), so one build
//! serves every Wireshark version whose layouts match these declarations. The struct layouts below
//! are the same from 3.4 to 4.6 (checked by `abi_check.c`: header_field_info 72 bytes,
//! hf_register_info 80, expert_field_info 128, ei_register_info 136); what differs between
//! versions is in [`super::abi`].

use std::ffi::{c_char, c_int, c_uint, c_void};

pub type Tvb = c_void;
pub type PacketInfo = c_void;
pub type ProtoTree = c_void;
pub type ProtoItem = c_void;
pub type Handle = *mut c_void;
pub type Dissector = unsafe extern "C" fn(*mut Tvb, *mut PacketInfo, *mut ProtoTree, *mut c_void) -> c_int;
pub type Heuristic = unsafe extern "C" fn(*mut Tvb, *mut PacketInfo, *mut ProtoTree, *mut c_void) -> c_int;
/// `stats_tree *`, `register_srt *`, `srt_stat_table *`: only passed back to Wireshark.
pub type Opaque = *mut c_void;
/// A tap listener's per-packet callback (`tap_packet_cb`; a stats tree's takes the tree first).
/// 4.0 added a last `tap_flags_t` argument, which the plugin never reads (3.4 and 3.6 do not pass
/// it).
pub type TapPacket = unsafe extern "C" fn(Opaque, *mut PacketInfo, *mut c_void, *const c_void, c_uint) -> c_int;
pub type StatsInit = unsafe extern "C" fn(Opaque);
/// `stat_tree_cleanup_cb`: called when a tree is freed (may be NULL).
pub type StatsCleanup = unsafe extern "C" fn(Opaque);
pub type SrtInit = unsafe extern "C" fn(Opaque, *mut GArray);

#[repr(C)]
#[derive(Debug)]
pub struct HeaderFieldInfo {
    pub name: *const c_char,
    pub abbrev: *const c_char,
    pub type_: c_int,
    pub display: c_int,
    pub strings: *const c_void,
    pub bitmask: u64,
    pub blurb: *const c_char,
    // HFILL: id -1, parent 0, ref_type HF_REF_TYPE_NONE (0), same_name_prev_id -1, same_name_next NULL
    pub id: c_int,
    pub parent: c_int,
    pub ref_type: c_int,
    pub same_name_prev_id: c_int,
    pub same_name_next: *mut c_void,
}

#[repr(C)]
#[derive(Debug)]
pub struct HfRegisterInfo {
    pub p_id: *mut c_int,
    pub hfinfo: HeaderFieldInfo,
}

#[repr(C)]
#[derive(Debug)]
pub struct ExpertField {
    pub ei: c_int,
    pub hf: c_int,
}

#[repr(C)]
#[derive(Debug)]
pub struct ExpertFieldInfo {
    pub name: *const c_char,
    pub group: c_int,
    pub severity: c_int,
    pub summary: *const c_char,
    // EXPFILL: 0, NULL, 0, {0, {NULL, NULL, FT_NONE, BASE_NONE, NULL, 0, NULL, HFILL}}
    pub id: c_int,
    pub protocol: *const c_char,
    pub orig_severity: c_int,
    pub hf_info: HfRegisterInfo,
}

#[repr(C)]
#[derive(Debug)]
pub struct EiRegisterInfo {
    pub ids: *mut ExpertField,
    pub eiinfo: ExpertFieldInfo,
}

#[repr(C)]
#[derive(Debug)]
pub struct ProtoPlugin {
    pub register_protoinfo: unsafe extern "C" fn(),
    pub register_handoff: unsafe extern "C" fn(),
}

/// `tap_plugin`: the routine Wireshark calls when it registers tap listeners.
#[repr(C)]
#[derive(Debug)]
pub struct TapPlugin {
    pub register_tap_listener: unsafe extern "C" fn(),
}

/// GLib's `GArray`: `{ gchar *data; guint len; }`, stable since GLib 2.0.
#[repr(C)]
#[derive(Debug)]
pub struct GArray {
    pub data: *mut c_void,
    pub len: c_uint,
}

/// `srt_data_t`, what a service response time listener is handed: its tables first
/// (`srt_data_srt_array` is 0 in every release, abi_check.c).
#[repr(C)]
#[derive(Debug)]
pub struct SrtData {
    pub srt_array: *mut GArray,
    pub user_data: *mut c_void,
}

/// `tap_packet_status` `TAP_PACKET_REDRAW`, `stat_node_datatype` `STAT_DT_INT` and
/// `manip_node_mode` `MN_INCREASE`: the same 3.4 to 4.6 (abi_check.c).
pub const TAP_PACKET_REDRAW: c_int = 1;
pub const STAT_DT_INT: c_int = 0;
pub const MN_INCREASE: c_int = 0;

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct NsTime {
    pub secs: i64,
    pub nsecs: c_int,
}

// The layouts abi_check.c prints for every supported version.
const _: () = assert!(std::mem::size_of::<HeaderFieldInfo>() == 72);
const _: () = assert!(std::mem::size_of::<HfRegisterInfo>() == 80);
const _: () = assert!(std::mem::size_of::<ExpertFieldInfo>() == 128);
const _: () = assert!(std::mem::size_of::<EiRegisterInfo>() == 136);
const _: () = assert!(std::mem::size_of::<ExpertField>() == 8);
const _: () = assert!(std::mem::size_of::<ProtoPlugin>() == 16);
const _: () = assert!(std::mem::size_of::<NsTime>() == 16);
const _: () = assert!(std::mem::offset_of!(SrtData, srt_array) == 0);
const _: () = assert!(std::mem::offset_of!(HeaderFieldInfo, id) == 48);
const _: () = assert!(std::mem::offset_of!(ExpertFieldInfo, hf_info) == 48);

/// `proto_item_set_generated()` is a static inline in every supported release, so the plugin does
/// what it does: set `FI_GENERATED` in the item's `field_info.flags`. `field_info.flags` and the
/// flag are the same from 3.4 to 4.6 (abi_check.c); `proto_node.finfo` moved in 4.6, so it is in
/// the per-version table (`Abi::pnode_finfo`).
pub const FIELD_INFO_FLAGS: usize = 28;

/// GLib's `GPtrArray`: `{ gpointer *pdata; guint len; }`, stable since GLib 2.0.
#[repr(C)]
#[derive(Debug)]
pub struct GPtrArray {
    pub pdata: *mut *mut c_void,
    pub len: c_uint,
}
pub const FI_GENERATED: u32 = 0x2;

macro_rules! api {
    ($($name:ident: fn($($arg:ty),*) $(-> $ret:ty)?;)*) => {
        /// Wireshark's functions, looked up by name in the running process.
        #[allow(non_snake_case)]
        #[derive(Clone, Copy, Debug)]
        pub struct Api {
            $(pub $name: unsafe extern "C" fn($($arg),*) $(-> $ret)?,)*
        }

        impl Api {
            /// Resolves every function, or says which one is missing.
            pub fn load() -> Result<Api, String> {
                Ok(Api {
                    $($name: {
                        let f = symbol(concat!(stringify!($name), "\0").as_bytes())
                            .ok_or_else(|| format!("{}: not exported by {SEARCHED}", stringify!($name)))?;
                        // SAFETY: the symbol is Wireshark's (or GLib's) exported function of this
                        // name, whose C prototype (3.4 to 4.6) is the signature declared here.
                        unsafe { std::mem::transmute::<*const c_void, unsafe extern "C" fn($($arg),*) $(-> $ret)?>(f) }
                    },)*
                })
            }
        }
    };
}

api! {
    proto_register_plugin: fn(*const ProtoPlugin);
    proto_register_protocol: fn(*const c_char, *const c_char, *const c_char) -> c_int;
    proto_register_field_array: fn(c_int, *mut HfRegisterInfo, c_int);
    proto_register_subtree_array: fn(*const *mut c_int, c_int);
    expert_register_protocol: fn(c_int) -> *mut c_void;
    expert_register_field_array: fn(*mut c_void, *mut EiRegisterInfo, c_int);
    register_dissector: fn(*const c_char, Dissector, c_int) -> Handle;
    dissector_add_uint_range_with_preference: fn(*const c_char, *const c_char, Handle);
    dissector_add_string: fn(*const c_char, *const c_char, Handle);
    dissector_add_uint: fn(*const c_char, u32, Handle);
    heur_dissector_add: fn(*const c_char, Heuristic, *const c_char, *const c_char, c_int, c_int);
    register_cleanup_routine: fn(unsafe extern "C" fn());
    col_set_str: fn(*mut c_void, c_int, *const c_char);
    col_add_str: fn(*mut c_void, c_int, *const c_char);
    col_append_sep_str: fn(*mut c_void, c_int, *const c_char, *const c_char);
    col_clear: fn(*mut c_void, c_int);
    proto_tree_add_item: fn(*mut ProtoTree, c_int, *mut Tvb, c_int, c_int, c_uint) -> *mut ProtoItem;
    proto_tree_add_string: fn(*mut ProtoTree, c_int, *mut Tvb, c_int, c_int, *const c_char) -> *mut ProtoItem;
    proto_tree_add_uint: fn(*mut ProtoTree, c_int, *mut Tvb, c_int, c_int, u32) -> *mut ProtoItem;
    proto_tree_add_time: fn(*mut ProtoTree, c_int, *mut Tvb, c_int, c_int, *const NsTime) -> *mut ProtoItem;
    proto_tree_add_expert: fn(*mut ProtoTree, *mut PacketInfo, *mut ExpertField, *mut Tvb, c_int, c_int) -> *mut ProtoItem;
    proto_item_add_subtree: fn(*mut ProtoItem, c_int) -> *mut ProtoTree;
    tvb_captured_length: fn(*const Tvb) -> c_uint;
    tvb_get_ptr: fn(*mut Tvb, c_int, c_int) -> *const u8;
    tvb_new_child_real_data: fn(*mut Tvb, *const u8, c_uint, c_int) -> *mut Tvb;
    add_new_data_source: fn(*mut PacketInfo, *mut Tvb, *const c_char);
    find_or_create_conversation: fn(*mut PacketInfo) -> *mut c_void;
    conversation_get_proto_data: fn(*const c_void, c_int) -> *mut c_void;
    conversation_add_proto_data: fn(*mut c_void, c_int, *mut c_void);
    conversation_set_dissector: fn(*mut c_void, Handle);
    p_add_proto_data: fn(*mut c_void, *mut PacketInfo, c_int, u32, *mut c_void);
    p_get_proto_data: fn(*mut c_void, *mut PacketInfo, c_int, u32) -> *mut c_void;
    wmem_file_scope: fn() -> *mut c_void;
    wmem_memdup: fn(*mut c_void, *const c_void, usize) -> *mut c_void;
    create_dissector_handle: fn(Dissector, c_int) -> Handle;
    register_postdissector: fn(Handle);
    set_postdissector_wanted_hfids: fn(Handle, *mut c_void);
    proto_get_finfo_ptr_array: fn(*const ProtoTree, c_int) -> *mut GPtrArray;
    proto_get_id_by_filter_name: fn(*const c_char) -> c_int;
    proto_registrar_get_id_byname: fn(*const c_char) -> c_int;
    find_dissector_table: fn(*const c_char) -> *mut c_void;
    dissector_get_uint_handle: fn(*mut c_void, c_uint) -> Handle;
    g_array_sized_new: fn(c_int, c_int, c_uint, c_uint) -> *mut c_void;
    g_array_append_vals: fn(*mut c_void, *const c_void, c_uint) -> *mut c_void;
    register_tap: fn(*const c_char) -> c_int;
    tap_queue_packet: fn(c_int, *mut PacketInfo, *const c_void);
    // `gboolean` (an int) up to 4.4, C `bool` from 4.6: only the low byte is read, right for both.
    have_tap_listener: fn(c_int) -> u8;
    tap_register_plugin: fn(*const TapPlugin);
    // Returns `stats_tree_cfg *` from 4.4 on, `void` before (abi.rs): declared `void`, as a caller
    // that ignores the value may.
    stats_tree_register_plugin: fn(*const c_char, *const c_char, *const c_char, c_uint, TapPacket, StatsInit, Option<StatsCleanup>);
    stats_tree_create_node: fn(Opaque, *const c_char, c_int, c_int, c_int) -> c_int;
    stats_tree_manip_node_int: fn(c_int, Opaque, *const c_char, c_int, c_int, c_int) -> c_int;
    register_srt_table: fn(c_int, *const c_char, c_int, TapPacket, SrtInit, *const c_void);
    init_srt_table: fn(*const c_char, *const c_char, *mut GArray, c_int, *const c_char, *const c_char, *mut c_void) -> Opaque;
    init_srt_table_row: fn(Opaque, c_int, *const c_char);
    add_srt_table_data: fn(Opaque, c_int, *const NsTime, *mut PacketInfo);
}

/// `epan_get_version_number`, looked up alone first: it decides whether the rest is usable.
pub fn running_version() -> Option<(i32, i32, i32)> {
    let f = symbol(b"epan_get_version_number\0")?;
    // SAFETY: `epan_get_version_number(int *major, int *minor, int *micro)` in every Wireshark
    // release that has plugins of this kind.
    let f =
        unsafe { std::mem::transmute::<*const c_void, unsafe extern "C" fn(*mut c_int, *mut c_int, *mut c_int)>(f) };
    let (mut major, mut minor, mut micro) = (0, 0, 0);
    // SAFETY: three valid out-pointers to local ints.
    unsafe { f(&mut major, &mut minor, &mut micro) };
    Some((major, minor, micro))
}

/// Where [`symbol`] looks, for messages.
#[cfg(not(windows))]
const SEARCHED: &str = "the running process";

/// Where [`symbol`] looks, for messages.
#[cfg(windows)]
const SEARCHED: &str = "the loaded libwireshark.dll, libwsutil.dll or GLib DLL";

/// The address of the exported function `name` (NUL-terminated) of the running Wireshark, or
/// `None`. Unix: the process's global symbols (`dlopen(NULL)`), where libwireshark, libwsutil and
/// GLib already are.
#[cfg(not(windows))]
fn symbol(name: &[u8]) -> Option<*const c_void> {
    let this = libloading::os::unix::Library::this();
    // SAFETY: the address is only read here; the caller gives it its C type.
    unsafe { this.get::<*const c_void>(name) }.ok().map(|s| *s).filter(|p| !p.is_null())
}

/// Windows has no process-wide lookup: each DLL exports its own functions. Wireshark's are in
/// `libwireshark.dll` (proto_*, tvb_*, epan_*), `libwsutil.dll` (wmem_*, which moved there from
/// libwireshark) and GLib's DLL (g_array_*; `libglib-2.0-0.dll` in Wireshark's own builds,
/// `glib-2.0-0.dll` as vcpkg names it), searched in that order. Only DLLs the process has already
/// loaded are looked at: nothing is ever loaded from here (a DLL search could pick up a stray
/// copy, and this runs at load time).
#[cfg(windows)]
fn symbol(name: &[u8]) -> Option<*const c_void> {
    use libloading::os::windows::Library;
    ["libwireshark.dll", "libwsutil.dll", "libglib-2.0-0.dll", "glib-2.0-0.dll"].into_iter().find_map(|dll| {
        let lib = Library::open_already_loaded(dll).ok()?;
        // SAFETY: the address is only read here; the caller gives it its C type. The DLL stays
        // loaded after `lib` is dropped: the process loaded it, and holds its own reference.
        unsafe { lib.get::<*const c_void>(name) }.ok().map(|s| *s).filter(|p| !p.is_null())
    })
}
