// SPDX-License-Identifier: GPL-2.0

//! BPF programs, maps, keys and the verifier, as seen from inside the verifier.
//!
//! These are views of the objects a `BPF_PROG_LOAD` works on while the verifier holds them: the
//! program being loaded ([`prog::Prog`]), the maps it binds ([`map::Map`]), the verifier
//! environment and its log ([`verifier::VerifierEnv`]), the addresses a `bpf()` command names
//! ([`ptr::BpfPtr`]) and the keys that verify a program's PKCS#7 signature ([`key::Key`]).
//!
//! Memory that another context may write while the verifier runs (map values, the buffers of a
//! BPF program that makes a load itself) is never covered by a Rust reference or slice: C copies
//! it.
//!
//! C headers: [`include/linux/bpf.h`](srctree/include/linux/bpf.h),
//! [`include/linux/bpf_verifier.h`](srctree/include/linux/bpf_verifier.h),
//! [`include/linux/bpfptr.h`](srctree/include/linux/bpfptr.h).

use crate::{
    bindings,
    error::to_result,
    prelude::*, //
};

#[cfg(CONFIG_KEYS)]
pub mod key;
pub mod map;
pub mod prog;
pub mod ptr;
pub mod verifier;

/// Checks that a `bpf_dynptr` can describe `size` bytes.
///
/// A dynptr keeps its size in 24 bits, next to its type and flags: this fails with [`E2BIG`]
/// from `DYNPTR_MAX_SIZE + 1` (16 MiB) on, the bound on the data of a dynptr and so on what the
/// kernel verifies a signature over.
#[inline]
pub fn dynptr_check_size(size: u64) -> Result {
    // SAFETY: `bpf_dynptr_check_size()` only compares its argument.
    to_result(unsafe { bindings::bpf_dynptr_check_size(size) })
}
