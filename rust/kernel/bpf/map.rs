// SPDX-License-Identifier: GPL-2.0

//! BPF maps.
//!
//! C header: [`include/linux/bpf.h`](srctree/include/linux/bpf.h).

use crate::{
    bindings,
    error::to_result,
    prelude::*,
    sync::{
        aref::AlwaysRefCounted,
        atomic::{
            atomic_load,
            ordering::Relaxed, //
        },
    },
    types::Opaque, //
};
use core::ptr::NonNull;

/// A BPF map (`struct bpf_map`).
///
/// Instances are always reference-counted: an [`ARef<Map>`](crate::sync::aref::ARef) holds a
/// reference (`bpf_map_inc()`, `bpf_map_put()`), and a `&Map` borrows one that someone else
/// holds.
///
/// # Invariants
///
/// The map is valid, and its reference count is held by someone, for as long as the [`Map`]
/// reference exists.
#[repr(transparent)]
pub struct Map(Opaque<bindings::bpf_map>);

// SAFETY: A `struct bpf_map` may be used and released from any thread: its reference count is
// atomic, and `bpf_map_put()` defers the freeing to a work item or an RCU callback.
unsafe impl Send for Map {}

// SAFETY: Every method of `Map` may run concurrently with any other, on any thread: they read
// fields fixed when the map was created, read `frozen` and the write count atomically, or ask the
// map for the address of its value, which they never read.
unsafe impl Sync for Map {}

// SAFETY: `bpf_map_inc()` and `bpf_map_put()` increment and decrement the map's reference count,
// and the map is freed only once it drops to zero; every map is reference-counted.
unsafe impl AlwaysRefCounted for Map {
    #[inline]
    fn inc_ref(&self) {
        // SAFETY: By the type invariant the map is valid and someone holds a reference, so the
        // count is not zero.
        unsafe { bindings::bpf_map_inc(self.as_raw()) }
    }

    #[inline]
    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller owns a reference to the map, which it gives up here.
        unsafe { bindings::bpf_map_put(obj.cast().as_ptr()) }
    }
}

impl Map {
    /// Creates a reference to a [`Map`] from a pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct bpf_map` whose reference count is held for the whole
    /// lifetime `'a`.
    #[inline]
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::bpf_map) -> &'a Self {
        // SAFETY: `Map` is a transparent wrapper of `struct bpf_map`, and the caller guarantees
        // that the map stays valid for `'a`.
        unsafe { &*ptr.cast() }
    }

    /// Returns a raw pointer to the `struct bpf_map`.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::bpf_map {
        self.0.get()
    }

    /// Returns the map's name.
    #[inline]
    pub fn name(&self) -> &CStr {
        // SAFETY: By the type invariant the map is valid; `name` is a NUL-terminated array that is
        // set when the map is created and never changes afterwards.
        unsafe { CStr::from_char_ptr((*self.as_raw()).name.as_ptr()) }
    }

    /// Returns the size in bytes of one value of the map.
    #[inline]
    pub fn value_size(&self) -> u32 {
        // SAFETY: By the type invariant the map is valid; `value_size` never changes.
        unsafe { (*self.as_raw()).value_size }
    }

    /// Returns whether the map is a plain array whose value can be addressed directly
    /// (`BPF_MAP_TYPE_ARRAY` with `map_direct_value_addr`).
    #[inline]
    pub fn is_direct_array(&self) -> bool {
        // SAFETY: By the type invariant the map is valid; its type and its `ops` table never
        // change, and `ops` points to a static table.
        unsafe {
            let map = self.as_raw();
            (*map).map_type == bindings::bpf_map_type_BPF_MAP_TYPE_ARRAY
                && (*(*map).ops).map_direct_value_addr.is_some()
        }
    }

    /// Returns whether the map is frozen, that is, read-only to user space.
    ///
    /// `BPF_MAP_FREEZE` may freeze the map at any time: this reads the flag once (`READ_ONCE()`).
    #[inline]
    pub fn is_frozen(&self) -> bool {
        // SAFETY: By the type invariant the map is valid, so `frozen` is a valid and aligned
        // `bool`. Its only store, in `map_freeze()`, is a `WRITE_ONCE()`.
        unsafe { atomic_load(&raw mut (*self.as_raw()).frozen, Relaxed) }
    }

    /// Returns whether a write to the map through the `bpf()` syscall is in progress.
    #[inline]
    pub fn has_active_writers(&self) -> bool {
        // SAFETY: By the type invariant the map is valid; `bpf_map_write_active()` reads an
        // atomic counter.
        unsafe { bindings::bpf_map_write_active(self.as_raw()) }
    }

    /// Returns whether the map is exclusive to one program (created with `excl_prog_hash`).
    #[inline]
    pub fn is_exclusive(&self) -> bool {
        // SAFETY: By the type invariant the map is valid; `excl_prog_sha` is set at creation.
        unsafe { !(*self.as_raw()).excl_prog_sha.is_null() }
    }

    /// Returns the address of the map's value (element 0, `value_size` bytes), for C to read.
    ///
    /// A running BPF program may store into a map value at any time, even into a frozen map's,
    /// so the address is never turned into a Rust reference or slice. Fails with [`EINVAL`] if
    /// the map is not a plain array, and with the error of `map_direct_value_addr` otherwise.
    pub fn value_addr(&self) -> Result<*mut c_void> {
        if !self.is_direct_array() {
            return Err(EINVAL);
        }
        // SAFETY: By the type invariant the map is valid; its `ops` table is static.
        let op = unsafe { (*(*self.as_raw()).ops).map_direct_value_addr }.ok_or(EINVAL)?;
        let mut addr = 0u64;
        // SAFETY: By the type invariant the map is valid, and `op` is its own
        // `map_direct_value_addr` operation, which writes `addr` or fails.
        to_result(unsafe { op(self.as_raw(), &mut addr, 0) })?;
        let addr = usize::try_from(addr).map_err(|_| EFAULT)?;
        Ok(core::ptr::with_exposed_provenance_mut(addr))
    }
}
