// SPDX-License-Identifier: GPL-2.0

//! BPF programs, maps, keys and the verifier, as seen from inside the verifier.
//!
//! These are views of the objects a `BPF_PROG_LOAD` works on while the verifier holds them: the
//! program being loaded ([`prog::Prog`]), the maps it binds ([`map::Map`]), the verifier
//! environment and its log ([`verifier::VerifierEnv`]), the addresses a `bpf()` command names
//! ([`ptr::BpfPtr`]), the keys that verify a program's PKCS#7 signature ([`key::Key`]) and the
//! data they verify, in pieces that lie apart ([`pieces::Pieces`]).
//!
//! Memory that another context may write while the verifier runs (map values, the buffers of a
//! BPF program that makes a load itself) is never covered by a Rust reference or slice: only C
//! reads it.
//!
//! C headers: [`include/linux/bpf.h`](srctree/include/linux/bpf.h),
//! [`include/linux/bpf_verifier.h`](srctree/include/linux/bpf_verifier.h),
//! [`include/linux/bpfptr.h`](srctree/include/linux/bpfptr.h).

#[cfg(CONFIG_KEYS)]
pub mod key;
pub mod map;
pub mod pieces;
pub mod prog;
pub mod ptr;
pub mod verifier;
