/* Test only: stand-ins for the DLLs a Windows Wireshark has loaded when it loads a plugin, for
 * tests/tests/windows_plugin.rs under wine. Built three times with mingw-w64, one part each, so
 * that the plugin must find every function in the DLL Wireshark really exports it from:
 *   -DPART_WIRESHARK -o libwireshark.dll   epan_get_version_number, proto_*, tvb_*, col_*, ...
 *   -DPART_WSUTIL    -o libwsutil.dll      wmem_*
 *   -DPART_GLIB      -o libglib-2.0-0.dll  g_array_*
 * Every call prints one line to stdout (what was registered, what the dissector added), which
 * the test reads. The structs are Wireshark 4.0's as declared in its headers (epan/proto.h,
 * epan/expert.h), compiled here with the Windows x86_64 (LLP64) ABI. The running version is
 * WVCIR_STUB_VERSION ("4.0.17" when unset). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __declspec(dllexport)

#ifdef PART_GLIB
/* GLib's GArray: { gchar *data; guint len; }, then GLib's private part. */
typedef struct {
    char *data;
    unsigned len;
    unsigned elt_size;
} GArray;

EXPORT GArray *g_array_sized_new(int zero_terminated, int clear, unsigned elt_size, unsigned reserved) {
    (void)zero_terminated;
    (void)clear;
    GArray *a = calloc(1, sizeof *a);
    a->elt_size = elt_size;
    a->data = calloc(reserved + 1, elt_size);
    return a;
}

EXPORT GArray *g_array_append_vals(GArray *a, const void *data, unsigned len) {
    a->data = realloc(a->data, (size_t)(a->len + len) * a->elt_size);
    memcpy(a->data + (size_t)a->len * a->elt_size, data, (size_t)len * a->elt_size);
    a->len += len;
    return a;
}
#endif

#ifdef PART_WSUTIL
static char file_scope;

EXPORT void *wmem_file_scope(void) {
    return &file_scope;
}

EXPORT void *wmem_memdup(void *scope, const void *src, size_t size) {
    (void)scope;
    void *p = malloc(size ? size : 1);
    memcpy(p, src, size);
    return p;
}
#endif

#ifdef PART_WIRESHARK
typedef struct {
    const char *name;
    const char *abbrev;
    int type;
    int display;
    const void *strings;
    uint64_t bitmask;
    const char *blurb;
    int id;
    int parent;
    int ref_type;
    int same_name_prev_id;
    void *same_name_next;
} header_field_info;

typedef struct {
    int *p_id;
    header_field_info hfinfo;
} hf_register_info;

typedef struct {
    int ei;
    int hf;
} expert_field;

typedef struct {
    const char *name;
    int group;
    int severity;
    const char *summary;
    int id;
    const char *protocol;
    int orig_severity;
    hf_register_info hf_info;
} expert_field_info;

typedef struct {
    expert_field *ids;
    expert_field_info eiinfo;
} ei_register_info;

#include "stub.h"

typedef struct {
    const char *name;
    dissector_t fn;
} handle;

#define PROTO_ID 100
#define HF_BASE 1000
#define ETT_BASE 2000
#define EI_BASE 3000

static const proto_plugin *registered_plugin;
static const char *hf_abbrevs[256];
static int hf_count;
static handle handles[32];
static int handle_count;
static void *conv_data;
/* Items are proto_nodes: their field_info pointer is at 32 (4.0 to 4.4) or 40 (4.6). */
static void *item_node[8];
static uint8_t item_finfo[64];

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static const char *hf_name(int id) {
    if (id == PROTO_ID) return "wvcir";
    if (id >= HF_BASE && id < HF_BASE + hf_count) return hf_abbrevs[id - HF_BASE];
    return "?";
}

static const char *handle_name(void *h) {
    return h ? ((handle *)h)->name : "(null)";
}

static void *new_handle(const char *name, dissector_t fn) {
    if (handle_count == (int)(sizeof handles / sizeof handles[0])) abort();
    handles[handle_count].name = name;
    handles[handle_count].fn = fn;
    return &handles[handle_count++];
}

EXPORT void epan_get_version_number(int *major, int *minor, int *micro) {
    const char *v = getenv("WVCIR_STUB_VERSION");
    *major = 4, *minor = 0, *micro = 17;
    if (v) sscanf(v, "%d.%d.%d", major, minor, micro);
}

/* For the host: what plugin_register registered, and a dissector by its handle's name. */
EXPORT const proto_plugin *stub_registered_plugin(void) {
    return registered_plugin;
}

EXPORT dissector_t stub_dissector(const char *name) {
    for (int i = 0; i < handle_count; i++)
        if (handles[i].name && strcmp(handles[i].name, name) == 0) return handles[i].fn;
    return NULL;
}

EXPORT void proto_register_plugin(const proto_plugin *plugin) {
    registered_plugin = plugin;
    out("proto_register_plugin");
}

EXPORT int proto_register_protocol(const char *name, const char *short_name, const char *filter_name) {
    out("protocol \"%s\" %s %s", name, short_name, filter_name);
    return PROTO_ID;
}

EXPORT void proto_register_field_array(int proto, hf_register_info *hf, int n) {
    for (int i = 0; i < n && hf_count < 256; i++) {
        header_field_info *h = &hf[i].hfinfo;
        /* HFILL, as Wireshark checks it. */
        int hfill = h->id == -1 && h->parent == 0 && h->ref_type == 0 && h->same_name_prev_id == -1 &&
                    h->same_name_next == NULL && h->bitmask == 0;
        *hf[i].p_id = HF_BASE + hf_count;
        hf_abbrevs[hf_count++] = h->abbrev;
        out("field %s proto=%d type=%d display=%d hfill=%d name=\"%s\"", h->abbrev, proto, h->type, h->display, hfill,
            h->name);
    }
}

EXPORT void proto_register_subtree_array(int *const *indices, int n) {
    for (int i = 0; i < n; i++) *indices[i] = ETT_BASE + i;
    out("subtrees %d", n);
}

static char expert_module;

EXPORT void *expert_register_protocol(int proto) {
    out("expert_register_protocol %d", proto);
    return &expert_module;
}

EXPORT void expert_register_field_array(void *module, ei_register_info *ei, int n) {
    for (int i = 0; i < n; i++) {
        expert_field_info *e = &ei[i].eiinfo;
        ei[i].ids->ei = EI_BASE + i;
        out("expert %s group=0x%x severity=0x%x module=%d eifill=%d summary=\"%s\"", e->name, (unsigned)e->group,
            (unsigned)e->severity, module == &expert_module,
            e->hf_info.p_id == NULL && e->hf_info.hfinfo.id == -1 && e->hf_info.hfinfo.same_name_prev_id == -1,
            e->summary);
    }
}

EXPORT void *register_dissector(const char *name, dissector_t fn, int proto) {
    out("register_dissector %s proto=%d", name, proto);
    return new_handle(name, fn);
}

EXPORT void *create_dissector_handle(dissector_t fn, int proto) {
    out("create_dissector_handle proto=%d", proto);
    return new_handle("(anonymous)", fn);
}

EXPORT void dissector_add_uint_range_with_preference(const char *table, const char *range, void *h) {
    out("table %s %s %s", table, range, handle_name(h));
}

EXPORT void dissector_add_string(const char *table, const char *s, void *h) {
    out("table %s %s %s", table, s, handle_name(h));
}

EXPORT void dissector_add_uint(const char *table, uint32_t v, void *h) {
    out("table %s %u %s", table, v, handle_name(h));
}

EXPORT void heur_dissector_add(const char *list, dissector_t fn, const char *display, const char *internal, int proto,
                               int enable) {
    (void)fn;
    out("heuristic %s %s proto=%d enabled=%d \"%s\"", list, internal, proto, enable, display);
}

EXPORT void register_cleanup_routine(void (*fn)(void)) {
    out("register_cleanup_routine %d", fn != NULL);
}

EXPORT void register_postdissector(void *h) {
    out("register_postdissector %s", handle_name(h));
}

EXPORT void set_postdissector_wanted_hfids(void *h, void *array) {
    /* A GArray from the GLib stand-in: its first two members are data and len. */
    struct {
        int *data;
        unsigned len;
    } *a = array;
    printf("wanted_hfids %s", handle_name(h));
    for (unsigned i = 0; i < a->len; i++) printf(" %d", a->data[i]);
    out("%s", "");
}

EXPORT int proto_get_id_by_filter_name(const char *name) {
    if (strcmp(name, "tcp") == 0) return 10;
    if (strcmp(name, "icmp") == 0) return 11;
    if (strcmp(name, "icmpv6") == 0) return 12;
    return -1;
}

EXPORT int proto_registrar_get_id_byname(const char *name) {
    if (strcmp(name, "tcp.payload") == 0) return 13;
    if (strcmp(name, "smpp.data_coding") == 0) return 14;
    return -1;
}

static char tables[3];

EXPORT void *find_dissector_table(const char *name) {
    if (strcmp(name, "tcp.port") == 0) return &tables[0];
    if (strcmp(name, "gsm_sms_ud.udh.port") == 0) return &tables[1];
    if (strcmp(name, "gsm_sms.udh.port") == 0) return &tables[2];
    return NULL;
}

EXPORT void *dissector_get_uint_handle(void *table, unsigned v) {
    (void)table;
    (void)v;
    return NULL;
}

EXPORT void col_set_str(void *cinfo, int col, const char *s) {
    out("col_set_str %d \"%s\" cinfo=%d", col, s, cinfo != NULL);
}

EXPORT void col_add_str(void *cinfo, int col, const char *s) {
    out("col_add_str %d \"%s\" cinfo=%d", col, s, cinfo != NULL);
}

EXPORT void col_append_sep_str(void *cinfo, int col, const char *sep, const char *s) {
    out("col_append_sep_str %d \"%s\" \"%s\" cinfo=%d", col, sep, s, cinfo != NULL);
}

EXPORT void col_clear(void *cinfo, int col) {
    out("col_clear %d cinfo=%d", col, cinfo != NULL);
}

static void *item(void) {
    item_node[4] = item_finfo; /* offset 32 */
    item_node[5] = item_finfo; /* offset 40 */
    return item_node;
}

EXPORT void *proto_tree_add_item(void *tree, int hf, void *tvb, int start, int len, unsigned enc) {
    (void)tree;
    (void)tvb;
    out("item %s %d %d enc=%u", hf_name(hf), start, len, enc);
    return item();
}

EXPORT void *proto_tree_add_string(void *tree, int hf, void *tvb, int start, int len, const char *v) {
    (void)tree;
    (void)tvb;
    out("string %s %d %d \"%s\"", hf_name(hf), start, len, v);
    return item();
}

EXPORT void *proto_tree_add_uint(void *tree, int hf, void *tvb, int start, int len, uint32_t v) {
    (void)tree;
    (void)tvb;
    out("uint %s %d %d %u", hf_name(hf), start, len, v);
    return item();
}

EXPORT void *proto_tree_add_time(void *tree, int hf, void *tvb, int start, int len, const void *t) {
    (void)tree;
    (void)tvb;
    (void)t;
    out("time %s %d %d", hf_name(hf), start, len);
    return item();
}

EXPORT void *proto_tree_add_expert(void *tree, void *pinfo, expert_field *ei, void *tvb, int start, int len) {
    (void)tree;
    (void)pinfo;
    (void)tvb;
    out("expert_item %d %d %d", ei->ei, start, len);
    return item();
}

EXPORT void *proto_item_add_subtree(void *item, int ett) {
    (void)item;
    static char subtree;
    out("subtree %d", ett);
    return &subtree;
}

EXPORT unsigned tvb_captured_length(const void *tvb) {
    return ((const stub_tvb *)tvb)->len;
}

EXPORT const uint8_t *tvb_get_ptr(void *tvb, int offset, int len) {
    stub_tvb *t = tvb;
    if (offset < 0 || len < 0 || (unsigned)offset + (unsigned)len > t->len) abort(); /* Wireshark would throw */
    return t->data + offset;
}

EXPORT void *tvb_new_child_real_data(void *parent, const uint8_t *data, unsigned len, int reported) {
    (void)parent;
    (void)reported;
    stub_tvb *t = malloc(sizeof *t);
    t->data = data;
    t->len = len;
    return t;
}

EXPORT void add_new_data_source(void *pinfo, void *tvb, const char *name) {
    (void)pinfo;
    (void)tvb;
    out("data_source \"%s\"", name);
}

static char conversation;

EXPORT void *find_or_create_conversation(void *pinfo) {
    (void)pinfo;
    return &conversation;
}

EXPORT void *conversation_get_proto_data(const void *conv, int proto) {
    (void)conv;
    (void)proto;
    return conv_data;
}

EXPORT void conversation_add_proto_data(void *conv, int proto, void *data) {
    (void)conv;
    (void)proto;
    conv_data = data;
}

EXPORT void conversation_set_dissector(void *conv, void *h) {
    (void)conv;
    out("conversation_set_dissector %s", handle_name(h));
}

EXPORT void p_add_proto_data(void *scope, void *pinfo, int proto, uint32_t key, void *data) {
    (void)scope;
    (void)pinfo;
    (void)proto;
    (void)key;
    (void)data;
}

EXPORT void *p_get_proto_data(void *scope, void *pinfo, int proto, uint32_t key) {
    (void)scope;
    (void)pinfo;
    (void)proto;
    (void)key;
    return NULL;
}

EXPORT void *proto_get_finfo_ptr_array(const void *tree, int id) {
    (void)tree;
    (void)id;
    return NULL;
}

/* Statistics: the wvcir tap, the stats tree a tap plugin registers, the SRT table. */
#define TAP_ID 5
static const tap_plugin *registered_tap_plugin;

EXPORT int register_tap(const char *name) {
    out("register_tap %s", name);
    return TAP_ID;
}

EXPORT int have_tap_listener(int tap) {
    return tap == TAP_ID;
}

EXPORT void tap_queue_packet(int tap, void *pinfo, const void *data) {
    (void)pinfo;
    out("tap_queue_packet %d %s", tap, data ? "data" : "null");
}

EXPORT void tap_register_plugin(const tap_plugin *p) {
    registered_tap_plugin = p;
    out("tap_register_plugin");
}

/* For the host: the tap plugin, whose routine Wireshark calls when it registers listeners. */
EXPORT const tap_plugin *stub_registered_tap_plugin(void) {
    return registered_tap_plugin;
}

EXPORT void stats_tree_register_plugin(const char *tapname, const char *abbr, const char *name, unsigned flags,
                                       void *packet, void *init, void *cleanup) {
    out("stats_tree %s %s \"%s\" flags=%u packet=%d init=%d cleanup=%s", tapname, abbr, name, flags, packet != NULL,
        init != NULL, cleanup ? "yes" : "no");
}

EXPORT int stats_tree_create_node(void *st, const char *name, int parent, int datatype, int with_children) {
    (void)st, (void)name, (void)parent, (void)datatype, (void)with_children;
    return 0;
}

EXPORT int stats_tree_manip_node_int(int mode, void *st, const char *name, int parent, int with_children, int value) {
    (void)mode, (void)st, (void)name, (void)parent, (void)with_children, (void)value;
    return 0;
}

EXPORT void register_srt_table(int proto, const char *tap, int max_tables, void *packet, void *init, void *param) {
    out("srt_table proto=%d %s %d packet=%d init=%d param=%s", proto, tap, max_tables, packet != NULL, init != NULL,
        param ? "yes" : "no");
}

EXPORT void *init_srt_table(const char *name, const char *short_name, void *array, int procs, const char *column,
                            const char *filter, void *data) {
    (void)name, (void)short_name, (void)array, (void)procs, (void)column, (void)filter, (void)data;
    return NULL;
}

EXPORT void init_srt_table_row(void *table, int index, const char *procedure) {
    (void)table, (void)index, (void)procedure;
}

EXPORT void add_srt_table_data(void *table, int index, const void *req_time, void *pinfo) {
    (void)table, (void)index, (void)req_time, (void)pinfo;
}
#endif
