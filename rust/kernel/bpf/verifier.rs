// SPDX-License-Identifier: GPL-2.0

//! The BPF verifier's environment and log.
//!
//! C header: [`include/linux/bpf_verifier.h`](srctree/include/linux/bpf_verifier.h).

use crate::{
    bindings,
    bpf::{
        map::Map,
        prog::Prog, //
    },
    fmt,
    prelude::*,
    types::Opaque, //
};

/// The environment of one run of the BPF verifier (`struct bpf_verifier_env`).
///
/// # Invariants
///
/// The environment is valid for as long as the [`VerifierEnv`] reference exists, and it is only
/// used from the task that runs the verifier, which is not running the verifier's C code
/// meanwhile.
#[repr(transparent)]
pub struct VerifierEnv(Opaque<bindings::bpf_verifier_env>);

impl VerifierEnv {
    /// Creates a reference to a [`VerifierEnv`] from a pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct bpf_verifier_env` that the calling task is using to
    /// verify a program, for the whole lifetime `'a`, during which the verifier does not change
    /// the program's instructions, its `aux->sig` or the used maps.
    #[inline]
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::bpf_verifier_env) -> &'a Self {
        // SAFETY: `VerifierEnv` is a transparent wrapper of `struct bpf_verifier_env`, and the
        // caller guarantees that it stays valid for `'a`.
        unsafe { &*ptr.cast() }
    }

    /// Returns a raw pointer to the `struct bpf_verifier_env`.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::bpf_verifier_env {
        self.0.get()
    }

    /// Returns the program being verified.
    #[inline]
    pub fn prog(&self) -> &Prog {
        // SAFETY: By the type invariant the environment is valid and the verifier, which owns the
        // program, does not change its instructions or `aux->sig` while `self` exists.
        unsafe { Prog::from_raw((*self.as_raw()).prog) }
    }

    /// Returns the maps the program binds so far, in the order they were bound.
    pub fn used_maps(&self) -> impl Iterator<Item = &Map> {
        let env = self.as_raw();
        // SAFETY: By the type invariant the environment is valid. The first `used_map_cnt`
        // entries of `used_maps` are maps whose references the environment holds; the array is
        // only appended to by the verifier, which does not run while `self` exists.
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
                self.as_raw(),
                c"%pA".as_char_ptr(),
                core::ptr::from_ref(&args).cast::<c_void>(),
            )
        }
    }
}

/// Writes a line to the verifier log of a [`VerifierEnv`], like `verbose()` in C.
///
/// # Examples
///
/// ```
/// use kernel::bpf::verifier::{
///     bpf_verbose,
///     VerifierEnv, //
/// };
///
/// fn too_large(env: &VerifierEnv, size: u64) {
///     bpf_verbose!(env, "signed payload too large: {} bytes\n", size);
/// }
/// ```
#[macro_export]
macro_rules! bpf_verbose {
    ($env:expr, $($arg:tt)+) => (
        $env.log($crate::prelude::fmt!($($arg)+))
    );
}
pub use bpf_verbose;
