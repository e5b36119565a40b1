//! HTTP head lines (`wvcir::http`) on arbitrary bytes: no panic, and every field a slice of the
//! line it came from.
#![no_main]
use libfuzzer_sys::fuzz_target;
use wvcir::http::{HeadLine, header_line, start_line};

fn inside(field: &[u8], line: &[u8]) -> bool {
    let (f, l) = (field.as_ptr() as usize, line.as_ptr() as usize);
    field.is_empty() || (f >= l && f + field.len() <= l + line.len())
}

fuzz_target!(|data: &[u8]| {
    for parsed in [start_line(data), header_line(data)] {
        match parsed {
            HeadLine::Request { method, uri } => assert!(inside(method, data) && inside(uri, data) && !uri.is_empty()),
            HeadLine::Status { code } => assert!((100..600).contains(&code)),
            HeadLine::Header { name, value } => assert!(inside(name, data) && inside(value, data) && !name.is_empty()),
            HeadLine::End | HeadLine::Other => {}
        }
    }
});
