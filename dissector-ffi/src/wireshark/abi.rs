//! The numbers that differ between Wireshark releases, one table per supported version.
//!
//! Every value here was read from the real headers of that version by
//! `dissector-ffi/abi/abi_check.c`, and is checked again by `tests/tests/wireshark_abi.rs`:
//! against Debian 12's libwireshark-dev (4.0) in CI, and inside Debian bullseye (3.4), trixie
//! (4.4) and sid (4.6) and Ubuntu jammy (3.6) and noble (4.2) chroots by
//! `tests/wireshark-chroot.sh`. Nothing here is guessed: a wrong column id would silently put text
//! in the wrong column, a wrong `pool` offset would hand Wireshark a wild allocator.

/// The constants and `packet_info` offsets of one Wireshark major.minor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Abi {
    pub major: i32,
    pub minor: i32,
    pub ft_protocol: i32,
    pub ft_uint32: i32,
    pub ft_relative_time: i32,
    pub ft_string: i32,
    pub ft_framenum: i32,
    pub framenum_request: isize,
    pub framenum_response: isize,
    pub base_none: i32,
    pub base_dec: i32,
    pub pi_malformed: i32,
    pub pi_protocol: i32,
    pub pi_warn: i32,
    pub pi_error: i32,
    pub heuristic_enable: i32,
    pub col_info: i32,
    pub col_protocol: i32,
    pub pinfo_cinfo: usize,
    pub pinfo_num: usize,
    pub pinfo_abs_ts: usize,
    pub pinfo_srcport: usize,
    pub pinfo_destport: usize,
    /// `proto_node.finfo`: 4.6 put `hfinfo` before it.
    pub pnode_finfo: usize,
    /// `field_info`: `start`, `length` (ints) and `ds_tvb` (the data source the item indexes).
    pub finfo_start: usize,
    pub finfo_length: usize,
    pub finfo_ds_tvb: usize,
    /// `packet_info.pool`, the packet-scoped allocator the statistics' tap records live in.
    pub pinfo_pool: usize,
    /// Whether `stats_tree_register_plugin` returns its `stats_tree_cfg *` (4.4 on) or `void`.
    /// The plugin ignores the value either way; the row says which prototype it was checked on.
    pub stats_tree_returns_cfg: bool,
    /// The separator of a stats tree's menu path: `/` up to 4.2, `//` from 4.4 (a lone `/` is
    /// then part of a name). The plugin's menu name has none; a nested one would use this.
    pub stats_menu_separator: &'static str,
}

/// Wireshark 4.0 (Debian 12), from its headers via abi_check.c.
pub const V4_0: Abi = Abi {
    major: 4,
    minor: 0,
    ft_protocol: 1,
    ft_uint32: 7,
    ft_relative_time: 25,
    ft_string: 26,
    ft_framenum: 35,
    framenum_request: 1,
    framenum_response: 2,
    base_none: 0,
    base_dec: 1,
    pi_malformed: 0x0700_0000,
    pi_protocol: 0x0900_0000,
    pi_warn: 0x0060_0000,
    pi_error: 0x0080_0000,
    heuristic_enable: 1,
    col_info: 28,
    col_protocol: 37,
    pinfo_cinfo: 8,
    pinfo_num: 20,
    pinfo_abs_ts: 24,
    pinfo_srcport: 260,
    pinfo_destport: 264,
    pnode_finfo: 32,
    finfo_start: 8,
    finfo_length: 12,
    finfo_ds_tvb: 40,
    pinfo_pool: 392,
    stats_tree_returns_cfg: false,
    stats_menu_separator: "/",
};

/// Wireshark 4.2 (Ubuntu noble, 4.2.2), from its headers via abi_check.c: the column ids and the
/// `packet_info` port offsets moved (4.2 added `rel_cap_ts`), and so did `pool`.
pub const V4_2: Abi =
    Abi { col_info: 25, col_protocol: 34, pinfo_srcport: 284, pinfo_destport: 288, pinfo_pool: 408, minor: 2, ..V4_0 };

/// Wireshark 4.4 (Debian trixie, 4.4.19), from its headers via abi_check.c: 4.2's numbers; the
/// stats tree registration returns its configuration and menu paths use `//`.
pub const V4_4: Abi = Abi { minor: 4, stats_tree_returns_cfg: true, stats_menu_separator: "//", ..V4_2 };

/// Wireshark 4.6 (Debian sid, 4.6.9), from its headers via abi_check.c: `proto_node` gained an
/// `hfinfo` pointer before `finfo`.
pub const V4_6: Abi = Abi {
    col_info: 25,
    col_protocol: 35,
    pinfo_srcport: 288,
    pinfo_destport: 292,
    pnode_finfo: 40,
    pinfo_pool: 416,
    minor: 6,
    ..V4_4
};

/// Wireshark 3.6 (Ubuntu 22.04's 3.6.2), from jammy's headers via abi_check.c: 4.0's values but
/// for `packet_info.pool` (4.0 added a field before it).
pub const V3_6: Abi = Abi { major: 3, minor: 6, pinfo_pool: 376, ..V4_0 };

/// Wireshark 3.4 (Debian 11's 3.4.10; RHEL/Rocky/Alma 9 ship 3.4 too), from bullseye's headers via
/// abi_check.c: 3.6's values. Debian 11's glibc (2.31) loads only the portable build
/// (`dissector-ffi/release.sh linux`), not a build made on Debian 12.
pub const V3_4: Abi = Abi { minor: 4, ..V3_6 };

/// Every version this build supports.
pub const SUPPORTED: [Abi; 6] = [V3_4, V3_6, V4_0, V4_2, V4_4, V4_6];

/// The table for a running major.minor, if supported.
pub fn for_version(major: i32, minor: i32) -> Option<&'static Abi> {
    SUPPORTED.iter().find(|a| a.major == major && a.minor == minor)
}

/// `4.0, 4.2, ...` for messages.
pub fn supported_list() -> String {
    SUPPORTED.iter().map(|a| format!("{}.{}", a.major, a.minor)).collect::<Vec<_>>().join(", ")
}

/// `(name, value)` pairs in the format abi_check.c prints, for the layout test.
pub fn check_lines(a: &Abi) -> Vec<(&'static str, i64)> {
    vec![
        ("version", i64::from(a.major * 100 + a.minor)),
        ("FT_PROTOCOL", a.ft_protocol.into()),
        ("FT_UINT32", a.ft_uint32.into()),
        ("FT_RELATIVE_TIME", a.ft_relative_time.into()),
        ("FT_STRING", a.ft_string.into()),
        ("FT_FRAMENUM", a.ft_framenum.into()),
        ("FT_FRAMENUM_REQUEST", a.framenum_request as i64),
        ("FT_FRAMENUM_RESPONSE", a.framenum_response as i64),
        ("BASE_NONE", a.base_none.into()),
        ("BASE_DEC", a.base_dec.into()),
        ("PI_MALFORMED", a.pi_malformed.into()),
        ("PI_PROTOCOL", a.pi_protocol.into()),
        ("PI_WARN", a.pi_warn.into()),
        ("PI_ERROR", a.pi_error.into()),
        ("HEURISTIC_ENABLE", a.heuristic_enable.into()),
        ("COL_INFO", a.col_info.into()),
        ("COL_PROTOCOL", a.col_protocol.into()),
        ("pinfo_cinfo", a.pinfo_cinfo as i64),
        ("pinfo_num", a.pinfo_num as i64),
        ("pinfo_abs_ts", a.pinfo_abs_ts as i64),
        ("pinfo_srcport", a.pinfo_srcport as i64),
        ("pinfo_destport", a.pinfo_destport as i64),
        ("pnode_finfo", a.pnode_finfo as i64),
        ("finfo_start", a.finfo_start as i64),
        ("finfo_length", a.finfo_length as i64),
        ("finfo_ds_tvb", a.finfo_ds_tvb as i64),
        ("pinfo_pool", a.pinfo_pool as i64),
        ("stats_tree_register_returns_cfg", i64::from(a.stats_tree_returns_cfg)),
        ("stats_tree_menu_separator_len", a.stats_menu_separator.len() as i64),
    ]
}

/// `(name, value)` pairs abi_check.c prints that are the same in every release and on every
/// platform: the layouts `ffi.rs` asserts at compile time and the constants it declares.
pub fn fixed_lines() -> Vec<(&'static str, i64)> {
    use super::ffi;
    vec![
        ("sizeof_header_field_info", std::mem::size_of::<ffi::HeaderFieldInfo>() as i64),
        ("sizeof_hf_register_info", std::mem::size_of::<ffi::HfRegisterInfo>() as i64),
        ("sizeof_expert_field_info", std::mem::size_of::<ffi::ExpertFieldInfo>() as i64),
        ("sizeof_ei_register_info", std::mem::size_of::<ffi::EiRegisterInfo>() as i64),
        ("sizeof_expert_field", std::mem::size_of::<ffi::ExpertField>() as i64),
        ("sizeof_proto_plugin", std::mem::size_of::<ffi::ProtoPlugin>() as i64),
        ("sizeof_nstime_t", std::mem::size_of::<ffi::NsTime>() as i64),
        ("hfi_id", std::mem::offset_of!(ffi::HeaderFieldInfo, id) as i64),
        ("efi_hf_info", std::mem::offset_of!(ffi::ExpertFieldInfo, hf_info) as i64),
        ("tcpinfo_seq", 0),
        ("finfo_flags", ffi::FIELD_INFO_FLAGS as i64),
        ("FI_GENERATED", i64::from(ffi::FI_GENERATED)),
        ("TAP_PACKET_REDRAW", i64::from(ffi::TAP_PACKET_REDRAW)),
        ("STAT_DT_INT", i64::from(ffi::STAT_DT_INT)),
        ("MN_INCREASE", i64::from(ffi::MN_INCREASE)),
        ("srt_data_srt_array", std::mem::offset_of!(ffi::SrtData, srt_array) as i64),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// install.sh picks the version folders to install into from its own list: it must be this one.
    #[test]
    fn install_script_lists_exactly_the_supported_versions() {
        let script = include_str!("../../install.sh");
        let case = SUPPORTED.iter().map(|a| format!("{}.{}", a.major, a.minor)).collect::<Vec<_>>().join("|");
        assert!(script.contains(&format!("    {case}) ;;")), "install.sh's case arm is not {case}");
        assert!(script.contains(&format!("(supported: {})", supported_list())), "install.sh's message");
    }

    /// install.ps1 (Windows) likewise, from its `$Supported = @(...)` line.
    #[test]
    fn install_ps1_lists_exactly_the_supported_versions() {
        let script = include_str!("../../install.ps1");
        let list = SUPPORTED.iter().map(|a| format!("'{}.{}'", a.major, a.minor)).collect::<Vec<_>>().join(", ");
        let line = format!("$Supported = @({list})");
        assert!(script.lines().any(|l| l.trim_end() == line), "install.ps1 has no line `{line}`");
    }

    #[test]
    fn every_table_is_found_by_its_version() {
        for a in SUPPORTED {
            assert_eq!(for_version(a.major, a.minor), Some(&a));
        }
        assert_eq!(for_version(4, 8), None);
        assert_eq!(for_version(3, 2), None);
    }
}
