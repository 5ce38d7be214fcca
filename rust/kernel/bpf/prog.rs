// SPDX-License-Identifier: GPL-2.0

//! BPF programs being loaded.
//!
//! C header: [`include/linux/bpf.h`](srctree/include/linux/bpf.h).

#[cfg(CONFIG_KEYS)]
use crate::bpf::key::Verified;
use crate::{
    bindings,
    prelude::*,
    types::Opaque, //
};

// The verdict is stored in a `u8` of `aux->sig`.
static_assert!(bindings::bpf_sig_verdict_BPF_SIG_VERIFIED <= u8::MAX as u32);

/// A BPF program being loaded, while the verifier owns it (`struct bpf_prog`).
///
/// # Invariants
///
/// The program is valid, its instructions are not changed, and no one else accesses its
/// `aux->sig`, for as long as the [`Prog`] reference exists.
#[repr(transparent)]
pub struct Prog(Opaque<bindings::bpf_prog>);

impl Prog {
    /// Creates a reference to a [`Prog`] from a pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct bpf_prog` that is being loaded by the caller, whose
    /// instructions nothing rewrites and whose `aux->sig` nothing else accesses during `'a`.
    #[inline]
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::bpf_prog) -> &'a Self {
        // SAFETY: `Prog` is a transparent wrapper of `struct bpf_prog`, and the caller guarantees
        // that the program stays valid for `'a`.
        unsafe { &*ptr.cast() }
    }

    /// Returns a raw pointer to the `struct bpf_prog`.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::bpf_prog {
        self.0.get()
    }

    /// Returns the program's instructions, as loaded and not yet rewritten by the verifier, as
    /// bytes.
    pub fn insns(&self) -> &[u8] {
        let prog = self.as_raw();
        // SAFETY: By the type invariant the program is valid and its instructions do not change
        // while `self` exists. `insnsi` is the flexible array of its `len` instructions, allocated
        // with the program; its address comes from C (`bpf_prog_insnsi()`), not from `&self`,
        // whose range ends before the array.
        unsafe {
            core::slice::from_raw_parts(
                bindings::bpf_prog_insnsi(prog).cast::<u8>(),
                (*prog).len as usize * size_of::<bindings::bpf_insn>(),
            )
        }
    }

    /// Records a verified signature on the program: `aux->sig.verdict` becomes
    /// `BPF_SIG_VERIFIED`, with the keyring type and serial of the key that verified it.
    ///
    /// Only a successful [`Key::verify_pkcs7`](crate::bpf::key::Key::verify_pkcs7) makes the
    /// [`Verified`] this consumes.
    #[cfg(CONFIG_KEYS)]
    pub fn set_signature_verified(&self, proof: Verified) {
        // SAFETY: By the type invariant the program and its `aux` are valid and nothing else
        // accesses `aux->sig` meanwhile.
        unsafe {
            let sig = &raw mut (*(*self.as_raw()).aux).sig;
            (*sig).keyring_serial = proof.serial;
            (*sig).keyring_type = proof.keyring as u8;
            (*sig).verdict = bindings::bpf_sig_verdict_BPF_SIG_VERIFIED as u8;
        }
    }
}
