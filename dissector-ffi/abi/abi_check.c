/* Prints every Wireshark constant, size and offset the wvcir plugin declares, from the real
 * headers of the installed libwireshark-dev. tests/ compares this with the plugin's own table
 * for that version (dissector-ffi/src/wireshark/abi.rs). Build:
 *   cc $(pkg-config --cflags wireshark) abi_check.c -o abi_check */
#include <stddef.h>
#include <stdio.h>
/* 3.6 and later name their version in ws_version.h; 3.4 has only config.h's VERSION_*. */
#if __has_include(<ws_version.h>)
#include <ws_version.h>
#else
#include <config.h>
#define WIRESHARK_VERSION_MAJOR VERSION_MAJOR
#define WIRESHARK_VERSION_MINOR VERSION_MINOR
#endif
#include <epan/packet.h>
#include <epan/expert.h>
#include <epan/proto.h>
#include <epan/column-utils.h>
#include <epan/conversation.h>
#include <epan/ftypes/ftypes.h>
#include <epan/dissectors/packet-tcp.h>
#include <epan/tap.h>
#include <epan/stats_tree.h>
#include <epan/srt_table.h>

#define V(name, expr) printf("%s %ld\n", name, (long)(expr))

int main(void) {
    V("version", WIRESHARK_VERSION_MAJOR * 100 + WIRESHARK_VERSION_MINOR);
    V("FT_NONE", FT_NONE);
    V("FT_PROTOCOL", FT_PROTOCOL);
    V("FT_BOOLEAN", FT_BOOLEAN);
    V("FT_UINT32", FT_UINT32);
    V("FT_RELATIVE_TIME", FT_RELATIVE_TIME);
    V("FT_STRING", FT_STRING);
    V("FT_BYTES", FT_BYTES);
    V("FT_FRAMENUM", FT_FRAMENUM);
    V("FT_FRAMENUM_REQUEST", FT_FRAMENUM_REQUEST);
    V("FT_FRAMENUM_RESPONSE", FT_FRAMENUM_RESPONSE);
    V("BASE_NONE", BASE_NONE);
    V("BASE_DEC", BASE_DEC);
    V("ENC_NA", ENC_NA);
    V("ENC_ASCII", ENC_ASCII);
    V("PI_MALFORMED", PI_MALFORMED);
    V("PI_PROTOCOL", PI_PROTOCOL);
    V("PI_UNDECODED", PI_UNDECODED);
    V("PI_NOTE", PI_NOTE);
    V("PI_WARN", PI_WARN);
    V("PI_ERROR", PI_ERROR);
    V("PI_CHAT", PI_CHAT);
    V("HEURISTIC_ENABLE", HEURISTIC_ENABLE);
    V("COL_INFO", COL_INFO);
    V("COL_PROTOCOL", COL_PROTOCOL);
    V("sizeof_header_field_info", sizeof(header_field_info));
    V("sizeof_hf_register_info", sizeof(hf_register_info));
    V("sizeof_expert_field_info", sizeof(expert_field_info));
    V("sizeof_ei_register_info", sizeof(ei_register_info));
    V("sizeof_expert_field", sizeof(expert_field));
    V("sizeof_proto_plugin", sizeof(proto_plugin));
    V("sizeof_nstime_t", sizeof(nstime_t));
    V("hfi_strings", offsetof(header_field_info, strings));
    V("hfi_bitmask", offsetof(header_field_info, bitmask));
    V("hfi_blurb", offsetof(header_field_info, blurb));
    V("hfi_id", offsetof(header_field_info, id));
    V("hfi_same_name_next", offsetof(header_field_info, same_name_next));
    V("efi_summary", offsetof(expert_field_info, summary));
    V("efi_protocol", offsetof(expert_field_info, protocol));
    V("efi_hf_info", offsetof(expert_field_info, hf_info));
    V("pinfo_cinfo", offsetof(packet_info, cinfo));
    V("pinfo_num", offsetof(packet_info, num));
    V("pinfo_abs_ts", offsetof(packet_info, abs_ts));
    V("pinfo_srcport", offsetof(packet_info, srcport));
    V("pinfo_destport", offsetof(packet_info, destport));
    V("pnode_finfo", offsetof(proto_node, finfo));
    V("finfo_flags", offsetof(field_info, flags));
    V("finfo_start", offsetof(field_info, start));
    V("finfo_length", offsetof(field_info, length));
    V("finfo_ds_tvb", offsetof(field_info, ds_tvb));
    V("FI_GENERATED", FI_GENERATED);
    V("tcpinfo_seq", offsetof(struct tcpinfo, seq));
    V("tcpinfo_nxtseq", offsetof(struct tcpinfo, nxtseq));
    V("pinfo_pool", offsetof(packet_info, pool));
    /* Statistics: the tap's answer, the stats tree's node type and mode, the SRT tap's data. */
    V("TAP_PACKET_REDRAW", TAP_PACKET_REDRAW);
    V("STAT_DT_INT", STAT_DT_INT);
    V("MN_INCREASE", MN_INCREASE);
    V("srt_data_srt_array", offsetof(srt_data_t, srt_array));
    /* 4.4 made stats_tree_register_plugin return its stats_tree_cfg (4.0: void). */
    V("stats_tree_register_returns_cfg",
      !__builtin_types_compatible_p(__typeof__(stats_tree_register_plugin(NULL, NULL, NULL, 0, NULL, NULL, NULL)), void));
    /* 4.4 made the separator of a stats tree's menu path "//" (it was "/"). */
#ifdef STATS_TREE_MENU_SEPARATOR
    V("stats_tree_menu_separator_len", sizeof(STATS_TREE_MENU_SEPARATOR) - 1);
#else
    V("stats_tree_menu_separator_len", 1);
#endif
    return 0;
}
