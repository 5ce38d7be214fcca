// SPDX-License-Identifier: GPL-2.0

//! BPF programs, maps, keys and the verifier log, as seen from inside the verifier.
//!
//! These are views of the objects a `BPF_PROG_LOAD` works on while the verifier holds them: the
//! program being loaded, the maps it binds, the verifier environment and its log, and the keys
//! that verify a program's PKCS#7 signature.
//!
//! C headers: [`include/linux/bpf.h`](srctree/include/linux/bpf.h),
//! [`include/linux/bpf_verifier.h`](srctree/include/linux/bpf_verifier.h),
//! [`include/linux/verification.h`](srctree/include/linux/verification.h).

use crate::{
    alloc::{Allocator, Flags},
    bindings,
    error::to_result,
    fmt,
    prelude::*,
    types::Opaque,
};
use core::ptr;

/// Checks that a `bpf_dynptr` can describe `size` bytes: fails with [`E2BIG`] past
/// `DYNPTR_MAX_SIZE` (16 MiB - 1), the largest payload the kernel verifies a signature over.
pub fn dynptr_check_size(size: u64) -> Result {
    // SAFETY: `bpf_dynptr_check_size()` only compares its argument.
    to_result(unsafe { bindings::bpf_dynptr_check_size(size) })
}

/// The address of bytes that a `bpf()` command names (`bpfptr_t`): in the calling task's user
/// memory, or in kernel memory for a command the kernel makes itself (`bpf_sys_bpf()` from a BPF
/// syscall program, whose pointers that program chose).
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

/// A BPF map.
///
/// # Invariants
///
/// The map is valid, and its reference count is held by someone, for as long as the [`Map`]
/// reference exists.
#[repr(transparent)]
pub struct Map(Opaque<bindings::bpf_map>);

impl Map {
    /// Creates a reference to a [`Map`] from a pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct bpf_map` whose reference count is held for the whole
    /// lifetime `'a`.
    pub unsafe fn from_raw<'a>(ptr: *const bindings::bpf_map) -> &'a Self {
        // SAFETY: `Map` is a transparent wrapper of `struct bpf_map`, and the caller guarantees
        // that the map stays valid for `'a`.
        unsafe { &*ptr.cast() }
    }

    fn as_raw(&self) -> *mut bindings::bpf_map {
        self.0.get()
    }

    /// Returns the map's name.
    pub fn name(&self) -> &CStr {
        // SAFETY: By the type invariant the map is valid; `name` is a NUL-terminated array that is
        // set when the map is created and never changes afterwards.
        unsafe { CStr::from_char_ptr((*self.as_raw()).name.as_ptr()) }
    }

    /// Returns the size in bytes of one value of the map.
    pub fn value_size(&self) -> u32 {
        // SAFETY: By the type invariant the map is valid; `value_size` never changes.
        unsafe { (*self.as_raw()).value_size }
    }

    /// Returns whether the map is a plain array whose value can be addressed directly
    /// (`BPF_MAP_TYPE_ARRAY` with `map_direct_value_addr`).
    pub fn is_direct_array(&self) -> bool {
        // SAFETY: By the type invariant the map is valid; its type and its `ops` table never
        // change, and `ops` points to a static table.
        unsafe {
            let map = self.as_raw();
            (*map).map_type == bindings::bpf_map_type_BPF_MAP_TYPE_ARRAY
                && (*(*map).ops).map_direct_value_addr.is_some()
        }
    }

    /// Returns whether the map is frozen, that is, read-only to user space (`READ_ONCE()`).
    pub fn is_frozen(&self) -> bool {
        // SAFETY: By the type invariant the map is valid. `frozen` may be set concurrently by
        // `BPF_MAP_FREEZE`, hence the volatile read, as `READ_ONCE()` does in C.
        unsafe { ptr::read_volatile(&raw const (*self.as_raw()).frozen) }
    }

    /// Returns whether a write to the map through the `bpf()` syscall is in progress.
    pub fn has_active_writers(&self) -> bool {
        // SAFETY: By the type invariant the map is valid.
        unsafe { bindings::bpf_map_write_active(self.as_raw()) }
    }

    /// Returns whether the map is exclusive to one program (created with `excl_prog_hash`).
    pub fn is_exclusive(&self) -> bool {
        // SAFETY: By the type invariant the map is valid; `excl_prog_sha` is set at creation.
        unsafe { !(*self.as_raw()).excl_prog_sha.is_null() }
    }

    /// Appends the map's value (element 0, `value_size` bytes) to `buf`.
    ///
    /// The value is copied by C, from the address `map_direct_value_addr` gives, and never seen
    /// through a Rust slice: a running BPF program may store into a map value at any time, even
    /// into a frozen map's. Fails with [`EINVAL`] if the map is not a plain array, with the error
    /// of `map_direct_value_addr` if it has no directly addressable value, and with [`ENOMEM`].
    pub fn read_value_into<A: Allocator>(&self, buf: &mut Vec<u8, A>, flags: Flags) -> Result {
        if !self.is_direct_array() {
            return Err(EINVAL);
        }
        let len = self.value_size() as usize;
        buf.reserve(len, flags)?;
        // SAFETY: By the type invariant the map is valid, and `is_direct_array()` checked that it
        // has a `map_direct_value_addr` operation. The spare capacity of `buf` has room for the
        // `value_size` bytes that `bpf_map_read_direct_value()` writes, unless it fails.
        to_result(unsafe {
            bindings::bpf_map_read_direct_value(
                self.as_raw(),
                buf.spare_capacity_mut().as_mut_ptr().cast(),
            )
        })?;
        // SAFETY: The copy succeeded, so the next `len` bytes of `buf` are initialized.
        unsafe { buf.inc_len(len) };
        Ok(())
    }
}

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
    /// A user keyring, named by its serial or a `KEY_SPEC_*` value.
    User = bindings::bpf_sig_keyring_BPF_SIG_KEYRING_USER as u8,
}

/// `VERIFY_USE_SECONDARY_KEYRING` in `include/linux/verification.h`, as a `keyring_id`.
const VERIFY_USE_SECONDARY_KEYRING: i32 = 1;
/// `VERIFY_USE_PLATFORM_KEYRING` in `include/linux/verification.h`, as a `keyring_id`.
const VERIFY_USE_PLATFORM_KEYRING: i32 = 2;

impl Keyring {
    /// Classifies the `keyring_id` of a `BPF_PROG_LOAD`.
    pub fn from_id(keyring_id: i32) -> Self {
        match keyring_id {
            0 => Self::Builtin,
            VERIFY_USE_SECONDARY_KEYRING => Self::Secondary,
            VERIFY_USE_PLATFORM_KEYRING => Self::Platform,
            _ => Self::User,
        }
    }

    /// Returns whether `keyring_id` names a system keyring rather than a user one, as
    /// `system_keyring_id_check()` decides for the sign-extended id.
    pub fn is_system_id(keyring_id: i32) -> bool {
        // SAFETY: `system_keyring_id_check()` only compares its argument.
        unsafe { bindings::system_keyring_id_check(i64::from(keyring_id) as u64) == 0 }
    }
}

/// A reference to a key or keyring that verifies PKCS#7 signatures (`struct bpf_key`).
///
/// # Invariants
///
/// `ptr` points to a valid `struct bpf_key` owned by this object: it is released with
/// `bpf_key_put()` exactly once, when the [`Key`] is dropped. `keyring` classifies the
/// `keyring_id` it was looked up with.
pub struct Key {
    ptr: ptr::NonNull<bindings::bpf_key>,
    keyring: Keyring,
}

/// Proof that a PKCS#7 signature verified: only [`Key::verify_pkcs7`] makes one, with the
/// keyring type and serial of the key that verified it, which is what
/// [`Prog::set_signature_verified`] records.
#[derive(Debug)]
pub struct Verified {
    keyring: Keyring,
    serial: i32,
}

impl Key {
    /// Looks up the keyring that `keyring_id` names: a system keyring (see
    /// [`Keyring::is_system_id`]) or a user key or keyring, by serial or `KEY_SPEC_*` value.
    ///
    /// As with `bpf_lookup_user_key()`, the permission check on a user key is deferred until the
    /// key is used by [`Key::verify_pkcs7`]. Returns `None` if nothing is found.
    pub fn lookup(keyring_id: i32) -> Option<Self> {
        let key = if Keyring::is_system_id(keyring_id) {
            // SAFETY: Any id is accepted; an invalid one gives NULL.
            unsafe { bindings::bpf_lookup_system_key(i64::from(keyring_id) as u64) }
        } else {
            // SAFETY: Any serial is accepted; one that resolves to nothing gives NULL.
            unsafe { bindings::bpf_lookup_user_key(keyring_id, 0) }
        };
        // INVARIANT: A non-NULL result is a new `struct bpf_key` that we own, looked up with
        // `keyring_id`.
        ptr::NonNull::new(key).map(|ptr| Self {
            ptr,
            keyring: Keyring::from_id(keyring_id),
        })
    }

    /// Returns the type of the keyring the key was looked up from.
    #[inline]
    pub fn keyring(&self) -> Keyring {
        self.keyring
    }

    /// Returns the serial of a user key, or 0 for a system keyring (`bpf_key_serial()`).
    pub fn serial(&self) -> i32 {
        // SAFETY: By the type invariant `self.ptr` is a valid `struct bpf_key`.
        unsafe { bindings::bpf_key_serial(self.ptr.as_ptr()) }
    }

    /// Verifies the detached PKCS#7 signature `sig` of `data` against this key or keyring.
    ///
    /// The signature's usage is `VERIFYING_BPF_SIGNATURE`. For a user key, the permission check
    /// deferred by [`Key::lookup`] happens here (`key_validate()`): a revoked or expired key
    /// fails with its error.
    ///
    /// Fails with [`E2BIG`] if `data` or `sig` is larger than a dynptr can describe (see
    /// [`dynptr_check_size`]). On success, returns the proof of it.
    pub fn verify_pkcs7(&self, data: &[u8], sig: &[u8]) -> Result<Verified> {
        let data_len = u32::try_from(data.len()).map_err(|_| E2BIG)?;
        let sig_len = u32::try_from(sig.len()).map_err(|_| E2BIG)?;
        // A dynptr keeps its size in its low 24 bits and its type above them.
        dynptr_check_size(u64::from(data_len))?;
        dynptr_check_size(u64::from(sig_len))?;
        let mut data_ptr = bindings::bpf_dynptr_kern::default();
        let mut sig_ptr = bindings::bpf_dynptr_kern::default();
        // SAFETY: The dynptrs describe `data` and `sig`, which outlive them. They are local
        // (`BPF_DYNPTR_TYPE_LOCAL`) and only read by `bpf_verify_pkcs7_signature()`, so casting
        // away `const` does not lead to a write. By the type invariant `self.ptr` is a valid key.
        unsafe {
            bindings::bpf_dynptr_init(
                &mut data_ptr,
                data.as_ptr().cast_mut().cast(),
                bindings::bpf_dynptr_type_BPF_DYNPTR_TYPE_LOCAL,
                0,
                data_len,
            );
            bindings::bpf_dynptr_init(
                &mut sig_ptr,
                sig.as_ptr().cast_mut().cast(),
                bindings::bpf_dynptr_type_BPF_DYNPTR_TYPE_LOCAL,
                0,
                sig_len,
            );
            to_result(bindings::bpf_verify_pkcs7_signature(
                ptr::from_ref(&data_ptr).cast(),
                ptr::from_ref(&sig_ptr).cast(),
                self.ptr.as_ptr(),
            ))?;
        }
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

/// A BPF program being loaded, while the verifier owns it.
///
/// # Invariants
///
/// The program is valid, and no one else writes its `aux->sig`, for as long as the [`Prog`]
/// reference exists.
#[repr(transparent)]
pub struct Prog(Opaque<bindings::bpf_prog>);

impl Prog {
    /// Creates a reference to a [`Prog`] from a pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct bpf_prog` that is being loaded by the caller, so that
    /// nothing else accesses its `aux->sig` during `'a`.
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::bpf_prog) -> &'a Self {
        // SAFETY: `Prog` is a transparent wrapper of `struct bpf_prog`, and the caller guarantees
        // that the program stays valid for `'a`.
        unsafe { &*ptr.cast() }
    }

    /// Returns the program's instructions, as loaded and not yet rewritten by the verifier, as
    /// bytes.
    pub fn insns(&self) -> &[u8] {
        let prog = self.0.get();
        // SAFETY: By the type invariant the program is valid. `insnsi` is the flexible array of
        // its `len` instructions, allocated with the program, which C hands out (a pointer from
        // C, not one derived from `&self`, whose range ends before the array), and which the
        // verifier neither resizes nor rewrites before the signature check is done.
        unsafe {
            core::slice::from_raw_parts(
                bindings::bpf_prog_insnsi(prog).cast::<u8>(),
                (*prog).len as usize * size_of::<bindings::bpf_insn>(),
            )
        }
    }

    /// Records a verified signature on the program: `aux->sig.verdict` becomes
    /// `BPF_SIG_VERIFIED`, with the keyring type and serial of the key that verified it. Only a
    /// successful [`Key::verify_pkcs7`] gives the [`Verified`] this takes.
    pub fn set_signature_verified(&self, proof: Verified) {
        // SAFETY: By the type invariant the program and its `aux` are valid and nothing else
        // accesses `aux->sig` meanwhile.
        unsafe {
            let sig = &raw mut (*(*self.0.get()).aux).sig;
            (*sig).keyring_serial = proof.serial;
            (*sig).keyring_type = proof.keyring as u8;
            (*sig).verdict = bindings::bpf_sig_verdict_BPF_SIG_VERIFIED as u8;
        }
    }
}

/// The environment of one run of the BPF verifier (`struct bpf_verifier_env`).
///
/// # Invariants
///
/// The environment is valid for as long as the [`VerifierEnv`] reference exists, and it is only
/// used from the task that runs the verifier.
#[repr(transparent)]
pub struct VerifierEnv(Opaque<bindings::bpf_verifier_env>);

impl VerifierEnv {
    /// Creates a reference to a [`VerifierEnv`] from a pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct bpf_verifier_env` that the calling task is using to
    /// verify a program, for the whole lifetime `'a`.
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::bpf_verifier_env) -> &'a Self {
        // SAFETY: `VerifierEnv` is a transparent wrapper of `struct bpf_verifier_env`, and the
        // caller guarantees that it stays valid for `'a`.
        unsafe { &*ptr.cast() }
    }

    /// Returns the program being verified.
    pub fn prog(&self) -> &Prog {
        // SAFETY: By the type invariant the environment is valid; the verifier owns its program
        // for as long as the environment exists.
        unsafe { Prog::from_raw((*self.0.get()).prog) }
    }

    /// Returns the maps the program binds so far, in the order they were bound.
    pub fn used_maps(&self) -> impl Iterator<Item = &Map> {
        let env = self.0.get();
        // SAFETY: By the type invariant the environment is valid. The first `used_map_cnt`
        // entries of `used_maps` are maps whose references the environment holds; the array is
        // only appended to by the verifier, which is not running concurrently with us.
        let (maps, count) = unsafe { (&(*env).used_maps, (*env).used_map_cnt as usize) };
        maps.iter().take(count).map(|&map| {
            // SAFETY: See above: each map stays referenced for as long as the environment exists.
            unsafe { Map::from_raw(map) }
        })
    }

    /// Writes to the verifier log, if the loader asked for one. Use [`bpf_verbose!`].
    pub fn log(&self, args: fmt::Arguments<'_>) {
        // SAFETY: By the type invariant the environment is valid. `%pA` formats a
        // `fmt::Arguments`, which is passed by pointer and outlives the call.
        unsafe {
            bindings::bpf_verifier_log_write(
                self.0.get(),
                c"%pA".as_char_ptr(),
                ptr::from_ref(&args).cast::<c_void>(),
            )
        }
    }
}

/// Writes a line to the verifier log of a [`VerifierEnv`], like `verbose()` in C.
///
/// ```ignore
/// bpf_verbose!(env, "signed payload too large: {} bytes\n", size);
/// ```
#[macro_export]
macro_rules! bpf_verbose {
    ($env:expr, $($arg:tt)+) => (
        $env.log($crate::prelude::fmt!($($arg)+))
    );
}
pub use bpf_verbose;
