//! Library-owned output bytes.

/// Bytes owned by the library (for example a JSON document).
///
/// Built from a boxed slice, so `len` is also the allocation's size. Release it with
/// `fleetup_bytes_free()`; never call `free()` on `ptr`. An empty value may have a non-NULL
/// `ptr`; read exactly `len` bytes. The bytes are not NUL-terminated.
#[repr(C)]
#[derive(Debug)]
pub struct fleetup_bytes {
    /// The first byte, or NULL for a value that holds nothing.
    pub ptr: *mut u8,
    /// The number of bytes.
    pub len: usize,
}

impl fleetup_bytes {
    /// Hands `data` to the caller.
    pub(crate) fn from_vec(data: Vec<u8>) -> Self {
        let boxed: Box<[u8]> = data.into_boxed_slice();
        let len = boxed.len();
        let ptr = Box::into_raw(boxed).cast::<u8>();
        fleetup_bytes { ptr, len }
    }
}

/// Releases bytes returned by the library.
///
/// @param bytes a value written by a fleetup function, or `{NULL, 0}` (ignored).
///
/// Thread-safe for distinct values.
///
/// # Safety
/// `bytes` must come from this library and must not have been freed already.
#[no_mangle]
pub unsafe extern "C" fn fleetup_bytes_free(bytes: fleetup_bytes) {
    if bytes.ptr.is_null() {
        return;
    }
    // SAFETY: the caller passes back exactly what `from_vec` produced: a `Box<[u8]>` of `len`.
    drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(bytes.ptr, bytes.len)) });
}
