// SPDX-License-Identifier: GPL-2.0

//! Addresses named by `bpf()` commands.
//!
//! C header: [`include/linux/bpfptr.h`](srctree/include/linux/bpfptr.h).

use crate::{
    alloc::Flags,
    bindings,
    error::to_result,
    prelude::*, //
};

/// The address of bytes that a `bpf()` command names (`bpfptr_t`).
///
/// The address is in the calling task's user memory, or in kernel memory for a command the kernel
/// makes itself: `bpf_sys_bpf()` from a BPF syscall program, whose pointers that program chose,
/// and which are therefore as untrusted as user pointers.
///
/// The bytes are only ever copied, by C (`copy_from_user()` or `copy_from_kernel_nofault()`): no
/// Rust reference covers them, a bad address gives [`EFAULT`] whatever it is, and bytes that
/// another context writes meanwhile are copied as they are at that moment.
#[derive(Clone, Copy, Debug)]
pub struct BpfPtr {
    addr: u64,
    is_kernel: bool,
}

impl BpfPtr {
    /// Creates a [`BpfPtr`] from an address of a `union bpf_attr`, and whether the command came
    /// from the kernel (`bpfptr_t.is_kernel`).
    ///
    /// Any address is accepted: it is only used to copy from.
    #[inline]
    pub fn new(addr: u64, is_kernel: bool) -> Self {
        Self { addr, is_kernel }
    }

    /// Copies the `len` bytes at the address into a new vector.
    ///
    /// Fails with [`EFAULT`] if any of them cannot be read, and with [`ENOMEM`] if the vector
    /// cannot be allocated.
    pub fn read_to_vec(self, len: usize, flags: Flags) -> Result<KVVec<u8>> {
        let mut buf = KVVec::<u8>::with_capacity(len, flags)?;
        // SAFETY: `buf` has room for `len` bytes. `bpf_copy_from_ptr()` writes them, or fails,
        // and reads its source with `copy_from_user()` or `copy_from_kernel_nofault()`, which
        // accept any address.
        to_result(unsafe {
            bindings::bpf_copy_from_ptr(buf.as_mut_ptr().cast(), self.addr, self.is_kernel, len)
        })?;
        // SAFETY: The copy succeeded, so the first `len` bytes of `buf` are initialized.
        unsafe { buf.inc_len(len) };
        Ok(buf)
    }
}
