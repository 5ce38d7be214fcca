// SPDX-License-Identifier: GPL-2.0

//! Keys and keyrings that verify the PKCS#7 signatures of BPF programs.
//!
//! C headers: [`include/linux/bpf.h`](srctree/include/linux/bpf.h),
//! [`include/linux/verification.h`](srctree/include/linux/verification.h).

use crate::{
    bindings,
    bpf::pieces::Pieces,
    error::to_result,
    prelude::*, //
};
use core::ptr::NonNull;

/// The keyring a program's signature was verified against (`enum bpf_sig_keyring`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Keyring {
    /// The builtin trusted keyring (`keyring_id` 0).
    Builtin = bindings::bpf_sig_keyring_BPF_SIG_KEYRING_BUILTIN as u8,
    /// The builtin and secondary trusted keyrings (`VERIFY_USE_SECONDARY_KEYRING`).
    Secondary = bindings::bpf_sig_keyring_BPF_SIG_KEYRING_SECONDARY as u8,
    /// The platform keyring (`VERIFY_USE_PLATFORM_KEYRING`).
    Platform = bindings::bpf_sig_keyring_BPF_SIG_KEYRING_PLATFORM as u8,
    /// A user key or keyring, named by its serial or a `KEY_SPEC_*` value.
    User = bindings::bpf_sig_keyring_BPF_SIG_KEYRING_USER as u8,
}

// The discriminants above are the C values, which must fit the `u8` of `aux->sig.keyring_type`.
static_assert!(bindings::bpf_sig_keyring_BPF_SIG_KEYRING_BUILTIN <= u8::MAX as u32);
static_assert!(bindings::bpf_sig_keyring_BPF_SIG_KEYRING_SECONDARY <= u8::MAX as u32);
static_assert!(bindings::bpf_sig_keyring_BPF_SIG_KEYRING_PLATFORM <= u8::MAX as u32);
static_assert!(bindings::bpf_sig_keyring_BPF_SIG_KEYRING_USER <= u8::MAX as u32);

impl Keyring {
    /// Returns the type of the system keyring `id` names, given an `id` that
    /// `system_keyring_id_check()` accepts; `None` if it has no type here.
    fn of_system_id(id: u64) -> Option<Self> {
        match id {
            0 => Some(Self::Builtin),
            bindings::VERIFY_USE_SECONDARY_KEYRING => Some(Self::Secondary),
            bindings::VERIFY_USE_PLATFORM_KEYRING => Some(Self::Platform),
            _ => None,
        }
    }
}

/// Proof that a PKCS#7 signature verified.
///
/// Only [`Key::verify_pkcs7`] makes one, with the type of the keyring the verifying key was looked
/// up from and its serial; [`Prog::set_signature_verified`](crate::bpf::prog::Prog) consumes it to
/// record the verdict.
#[derive(Debug)]
#[must_use = "a verified signature is recorded with Prog::set_signature_verified"]
pub struct Verified {
    pub(super) keyring: Keyring,
    pub(super) serial: i32,
}

/// A reference to a key or keyring that verifies PKCS#7 signatures (`struct bpf_key`).
///
/// # Invariants
///
/// `ptr` points to a valid `struct bpf_key` owned by this object: it is released with
/// `bpf_key_put()` exactly once, when the [`Key`] is dropped. `keyring` is the type of the keyring
/// it was looked up from.
pub struct Key {
    ptr: NonNull<bindings::bpf_key>,
    keyring: Keyring,
}

impl Key {
    /// Looks up the key or keyring that the `keyring_id` of a `BPF_PROG_LOAD` names.
    ///
    /// That is a system keyring (0, `VERIFY_USE_SECONDARY_KEYRING` or
    /// `VERIFY_USE_PLATFORM_KEYRING`) or a user key or keyring, by serial or `KEY_SPEC_*` value.
    /// As with `bpf_lookup_user_key()`, the permission check on a user key is deferred until the
    /// key is used by [`Key::verify_pkcs7`]. Returns `None` if nothing is found.
    pub fn lookup(keyring_id: i32) -> Option<Self> {
        // C passes the `s32` keyring id to functions that take a `u64`: sign-extend it the same
        // way, so that no negative `KEY_SPEC_*` value names a system keyring.
        let id = i64::from(keyring_id) as u64;
        // SAFETY: `system_keyring_id_check()` only compares its argument.
        let is_system = unsafe { bindings::system_keyring_id_check(id) } == 0;
        let (key, keyring) = if is_system {
            // A system keyring without a type here is not used at all.
            let keyring = Keyring::of_system_id(id)?;
            // SAFETY: Any id is accepted; an invalid one gives NULL.
            (unsafe { bindings::bpf_lookup_system_key(id) }, keyring)
        } else {
            // SAFETY: Any serial is accepted; one that resolves to nothing gives NULL.
            let key = unsafe { bindings::bpf_lookup_user_key(keyring_id, 0) };
            (key, Keyring::User)
        };
        // INVARIANT: A non-NULL result is a new `struct bpf_key` that we own, looked up from
        // `keyring`.
        NonNull::new(key).map(|ptr| Self { ptr, keyring })
    }

    /// Returns the type of the keyring the key was looked up from.
    #[inline]
    pub fn keyring(&self) -> Keyring {
        self.keyring
    }

    /// Returns the serial of a user key, or 0 for a system keyring (`bpf_key_serial()`).
    #[inline]
    pub fn serial(&self) -> i32 {
        // SAFETY: By the type invariant `self.ptr` is a valid `struct bpf_key`.
        unsafe { bindings::bpf_key_serial(self.ptr.as_ptr()) }
    }

    /// Verifies the detached PKCS#7 signature `sig` of `data`, the concatenation of its pieces,
    /// against this key or keyring.
    ///
    /// The pieces are digested where they lie, by C (`bpf_verify_pkcs7_pieces()`), and may change
    /// meanwhile if another context writes them. The signature's usage is
    /// `VERIFYING_BPF_SIGNATURE`. For a user key, the permission check deferred by
    /// [`Key::lookup`] happens here (`key_validate()`): a revoked or expired key fails with its
    /// error. On success, returns the proof of it.
    pub fn verify_pkcs7(&self, data: &Pieces<'_>, sig: &[u8]) -> Result<Verified> {
        let count = u32::try_from(data.count()).map_err(|_| E2BIG)?;
        let sig_len = u32::try_from(sig.len()).map_err(|_| E2BIG)?;
        // SAFETY: By the type invariant of `Pieces`, each of its `count` pieces describes memory
        // that is valid for reads while `data` is borrowed, and C only reads it. `sig` is valid
        // for reads of `sig_len` bytes. By the type invariant `self.ptr` is a valid key.
        to_result(unsafe {
            bindings::bpf_verify_pkcs7_pieces(
                data.as_ptr(),
                count,
                sig.as_ptr().cast(),
                sig_len,
                self.ptr.as_ptr(),
            )
        })?;
        Ok(Verified {
            keyring: self.keyring,
            serial: self.serial(),
        })
    }
}

impl Drop for Key {
    fn drop(&mut self) {
        // SAFETY: By the type invariant we own the `struct bpf_key`, and this is its only release.
        unsafe { bindings::bpf_key_put(self.ptr.as_ptr()) }
    }
}
