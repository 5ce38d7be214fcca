// SPDX-License-Identifier: GPL-2.0

//! Verification of signed BPF light-skeleton loaders.
//!
//! A signed loader comes with a PKCS#7 signature over its instructions followed by the frozen
//! contents of the metadata maps it binds through `fd_array`: `insns || map_0 || map_1 || ...`.
//! `bpf_check()` calls [`bpf_signed_loader_verify`] once `fd_array` has been resolved into the
//! maps the program uses, so that the bytes checked are those of the very objects the program
//! binds. This is the Rust implementation of what `bpf_prog_verify_signature()` does in C for
//! kernels built without `CONFIG_BPF_SIGNED_LOADER`; the verifier-log lines and error codes are
//! the same. See `Documentation/bpf/signing.rst`.

use kernel::{
    bindings,
    bpf::{
        key::Key,
        map::Map,
        pieces::Pieces,
        ptr::BpfPtr,
        verifier::{
            bpf_verbose,
            VerifierEnv, //
        },
    },
    prelude::*, //
};

/// The largest signature accepted: one that fits a `kmalloc` cache object.
const MAX_SIGNATURE_SIZE: usize = bindings::KMALLOC_MAX_CACHE_SIZE as usize;

/// Checks the `signature_size` of a load and returns it as a length.
fn signature_len(signature_size: u32) -> Result<usize> {
    let len = signature_size as usize;
    if len == 0 || len > MAX_SIGNATURE_SIZE {
        return Err(EINVAL);
    }
    Ok(len)
}

/// Why the signature of a load is rejected: the `enum bpf_sig_reject` given to the
/// `bpf_prog_load_sig_verdict` LSM hook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
enum Reason {
    /// The signature does not verify these bytes.
    BadSignature = bindings::bpf_sig_reject_BPF_SIG_REJECT_BADSIG,
    /// No usable key or keyring.
    NoKey = bindings::bpf_sig_reject_BPF_SIG_REJECT_NOKEY,
    /// A metadata map breaks a rule.
    Map = bindings::bpf_sig_reject_BPF_SIG_REJECT_MAP,
    /// The signature cannot be read.
    Fault = bindings::bpf_sig_reject_BPF_SIG_REJECT_FAULT,
    /// A size is out of range.
    Invalid = bindings::bpf_sig_reject_BPF_SIG_REJECT_INVALID,
    /// Out of memory.
    NoMemory = bindings::bpf_sig_reject_BPF_SIG_REJECT_NOMEM,
}

impl Reason {
    /// The reason for a PKCS#7 verification that failed with `err`.
    fn of_verification(err: Error) -> Self {
        if err == ENOKEY || err == EKEYREVOKED || err == EKEYEXPIRED {
            Self::NoKey
        } else if err == ENOMEM {
            Self::NoMemory
        } else if err == E2BIG {
            Self::Invalid
        } else {
            Self::BadSignature
        }
    }

    /// The reason for a copy of the signature that failed with `err`.
    fn of_copy(err: Error) -> Self {
        if err == EFAULT {
            Self::Fault
        } else {
            Self::NoMemory
        }
    }
}

/// A rejected signature: why, and the error the load fails with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Rejection {
    reason: Reason,
    err: Error,
}

impl Rejection {
    fn new(reason: Reason, err: Error) -> Self {
        Self { reason, err }
    }
}

/// Why a metadata map cannot be folded into a signed payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MapRejection {
    /// Not a plain array with a directly addressable value.
    NotArray,
    /// User space can still write to it.
    NotFrozen,
    /// A write through the `bpf()` syscall is in progress.
    ActiveWriters,
    /// Other programs than the loader could use it.
    NotExclusive,
}

impl MapRejection {
    /// Checks a map in the order the C implementation does.
    fn check(map: &Map) -> Option<Self> {
        if !map.is_direct_array() {
            Some(Self::NotArray)
        } else if !map.is_frozen() {
            Some(Self::NotFrozen)
        } else if map.has_active_writers() {
            Some(Self::ActiveWriters)
        } else if !map.is_exclusive() {
            Some(Self::NotExclusive)
        } else {
            None
        }
    }

    /// The end of the verifier-log line: "signed program metadata map 'NAME' <reason>".
    fn reason(self) -> &'static str {
        match self {
            Self::NotArray => "must be an array",
            Self::NotFrozen => "must be frozen",
            Self::ActiveWriters => "has active writers",
            Self::NotExclusive => "must be exclusive",
        }
    }

    /// The error the load fails with.
    fn error(self) -> Error {
        match self {
            Self::NotArray => EINVAL,
            Self::NotFrozen | Self::NotExclusive => EPERM,
            Self::ActiveWriters => EBUSY,
        }
    }
}

/// The most bytes a signature may cover: the instructions and the metadata map values together.
const MAX_PAYLOAD: u64 = bindings::BPF_SIG_MAX_PAYLOAD;

/// Returns the size of a payload of `insns_len` bytes of instructions and maps of `value_sizes`,
/// added up in 64 bits.
fn payload_size(insns_len: usize, value_sizes: impl Iterator<Item = u32>) -> u64 {
    value_sizes.fold(insns_len as u64, |acc, size| acc + u64::from(size))
}

/// Copies the signature of a load, `len` bytes at `signature`.
fn copy_signature(
    env: &VerifierEnv,
    signature: BpfPtr,
    len: usize,
) -> core::result::Result<KVVec<u8>, Rejection> {
    signature
        .read_to_vec(len, GFP_USER | __GFP_NOWARN)
        .map_err(|err| {
            bpf_verbose!(env, "failed to copy signature: {}\n", err.to_errno());
            Rejection::new(Reason::of_copy(err), err)
        })
}

/// Checks that a payload of `size` bytes is within the limit on what a signature may cover.
fn check_payload_size(env: &VerifierEnv, size: u64) -> core::result::Result<(), Rejection> {
    if size > MAX_PAYLOAD {
        bpf_verbose!(env, "signed payload too large: {} bytes\n", size);
        return Err(Rejection::new(Reason::Invalid, E2BIG));
    }
    Ok(())
}

/// Verifies the signature of the program of `env` over its instructions and its maps.
fn verify(
    env: &VerifierEnv,
    signature: BpfPtr,
    signature_len: usize,
    keyring_id: i32,
) -> core::result::Result<(), Rejection> {
    let Some(key) = Key::lookup(keyring_id) else {
        bpf_verbose!(
            env,
            "cannot resolve signing keyring with keyring_id {}\n",
            keyring_id
        );
        return Err(Rejection::new(Reason::NoKey, EINVAL));
    };
    let sig = copy_signature(env, signature, signature_len)?;

    for map in env.used_maps() {
        if let Some(rejection) = MapRejection::check(map) {
            bpf_verbose!(
                env,
                "signed program metadata map '{}' {}\n",
                map.name(),
                rejection.reason()
            );
            return Err(Rejection::new(Reason::Map, rejection.error()));
        }
    }

    let prog = env.prog();
    let insns = prog.insns();
    check_payload_size(
        env,
        payload_size(insns.len(), env.used_maps().map(Map::value_size)),
    )?;

    // The payload, insns || map_0 || map_1 || ..., is digested where its pieces lie.
    let count = env.used_maps().count() + 1;
    let mut pieces = Pieces::with_capacity(count, GFP_KERNEL_ACCOUNT).map_err(|err| {
        bpf_verbose!(
            env,
            "cannot allocate the signed payload's {} pieces\n",
            count
        );
        Rejection::new(Reason::NoMemory, err)
    })?;
    pieces
        .push_bytes(insns, GFP_KERNEL_ACCOUNT)
        .map_err(|err| Rejection::new(Reason::NoMemory, err))?;
    for map in env.used_maps() {
        pieces
            .push_map_value(map, GFP_KERNEL_ACCOUNT)
            .map_err(|err| {
                bpf_verbose!(
                    env,
                    "failed to read signed metadata map '{}': {}\n",
                    map.name(),
                    err.to_errno()
                );
                Rejection::new(Reason::Map, err)
            })?;
    }

    match key.verify_pkcs7(&pieces, &sig) {
        Ok(verified) => {
            bpf_verbose!(env, "signature verification passed\n");
            prog.set_signature_verified(verified);
            Ok(())
        }
        Err(err) => {
            bpf_verbose!(env, "signature verification failed: {}\n", err.to_errno());
            Err(Rejection::new(Reason::of_verification(err), err))
        }
    }
}

/// Verifies the signature of a signed BPF program being loaded.
///
/// Called by `bpf_check()` for a load with a signature, after `fd_array` has been resolved into
/// the environment's used maps. `signature`, `signature_size` and `keyring_id` are those of the
/// load's `union bpf_attr`; `is_kernel` says whether `signature` is a kernel address. On success
/// the program's `aux->sig` records the verdict. Returns 0 or a negative error code; on failure
/// `*reason` says why the signature was rejected.
///
/// # Safety
///
/// `env` must point to the environment of a verifier run in progress on the calling task, whose
/// used maps are held. `reason` must be valid for writes. `signature` may be any address: it is
/// only read through [`BpfPtr`].
#[export]
pub unsafe extern "C" fn bpf_signed_loader_verify(
    env: *mut bindings::bpf_verifier_env,
    signature: u64,
    signature_size: u32,
    keyring_id: i32,
    is_kernel: bool,
    reason: *mut bindings::bpf_sig_reject,
) -> c_int {
    // SAFETY: The caller guarantees that `env` is a verifier environment in use by this task.
    let env = unsafe { VerifierEnv::from_raw(env) };
    let len = match signature_len(signature_size) {
        Ok(len) => len,
        Err(err) => {
            bpf_verbose!(
                env,
                "signature size {} is not in [1, {}]\n",
                signature_size,
                MAX_SIGNATURE_SIZE
            );
            // SAFETY: The caller guarantees that `reason` is valid for writes.
            unsafe { reason.write(Reason::Invalid as bindings::bpf_sig_reject) };
            return err.to_errno();
        }
    };
    match verify(env, BpfPtr::new(signature, is_kernel), len, keyring_id) {
        Ok(()) => 0,
        Err(rejection) => {
            // SAFETY: The caller guarantees that `reason` is valid for writes.
            unsafe { reason.write(rejection.reason as bindings::bpf_sig_reject) };
            rejection.err.to_errno()
        }
    }
}

#[cfg(CONFIG_BPF_SIGNED_LOADER_KUNIT_TEST)]
#[kunit_tests(bpf_signed_loader)]
mod tests {
    use super::*;
    use kernel::bpf::key::Keyring;

    /// What a test log holds before anything is written to it.
    const UNWRITTEN: &[u8] = b"(unwritten)";

    /// A verifier environment with no program, whose log is the kernel log (`BPF_LOG_KERNEL`):
    /// each line also stays in `log.kbuf` until the next one, where [`TestEnv::logged`] reads it.
    struct TestEnv(KVBox<bindings::bpf_verifier_env>);

    impl TestEnv {
        fn new(level: u32) -> Result<Self> {
            let mut env = KVBox::<bindings::bpf_verifier_env>::new_uninit(GFP_KERNEL)?;
            // SAFETY: All-zero bytes are a valid `struct bpf_verifier_env`: integers, arrays,
            // NULL pointers and `None` function pointers.
            let mut env = unsafe {
                env.as_mut_ptr().write_bytes(0, 1);
                env.assume_init()
            };
            env.log.level = level;
            let mut test = Self(env);
            test.clear();
            Ok(test)
        }

        fn env(&mut self) -> &VerifierEnv {
            // SAFETY: The environment is valid for as long as `self` is borrowed, used only by
            // this task, and has no program or maps for the verifier to change.
            unsafe { VerifierEnv::from_raw(&raw mut *self.0) }
        }

        /// Puts the sentinel back into the log buffer.
        fn clear(&mut self) {
            let kbuf = &mut self.0.log.kbuf;
            kbuf[..UNWRITTEN.len()].copy_from_slice(UNWRITTEN);
            kbuf[UNWRITTEN.len()] = 0;
        }

        /// Returns whether the last line written is `line`, and puts the sentinel back.
        ///
        /// With `BPF_LOG_KERNEL` every line is also printed (as "BPF: ..."), which shows what was
        /// written when this fails.
        fn logged(&mut self, line: &[u8]) -> bool {
            let kbuf = &self.0.log.kbuf;
            let len = kbuf.iter().position(|&c| c == 0).unwrap_or(kbuf.len());
            let found = kbuf[..len] == *line;
            self.clear();
            found
        }
    }

    #[test]
    fn signature_size_limits() {
        assert_eq!(signature_len(0), Err(EINVAL));
        assert_eq!(signature_len(1), Ok(1));
        assert_eq!(
            signature_len(MAX_SIGNATURE_SIZE as u32),
            Ok(MAX_SIGNATURE_SIZE)
        );
        assert_eq!(signature_len(MAX_SIGNATURE_SIZE as u32 + 1), Err(EINVAL));
        assert_eq!(signature_len(64 << 20), Err(EINVAL));
        assert_eq!(signature_len(u32::MAX), Err(EINVAL));
    }

    #[test]
    fn key_lookup() {
        // Each system keyring, recorded with its own type; none has a serial of its own.
        for (id, keyring) in [
            (0, Keyring::Builtin),
            (1, Keyring::Secondary),
            (2, Keyring::Platform),
        ] {
            let key = Key::lookup(id);
            assert_eq!(key.map(|k| (k.keyring(), k.serial())), Some((keyring, 0)));
        }
        // A serial no key has (serials are allocated from 3 up, at random), and an id that is
        // neither a serial nor a `KEY_SPEC_*` value.
        assert!(Key::lookup(0x7fff_fff0).is_none());
        assert!(Key::lookup(-100).is_none());
    }

    #[test]
    fn garbage_signature_refused() -> Result {
        let key = Key::lookup(0);
        assert!(key.is_some());
        if let Some(key) = key {
            let mut data = Pieces::with_capacity(2, GFP_KERNEL)?;
            data.push_bytes(b"da", GFP_KERNEL)?;
            data.push_bytes(b"ta", GFP_KERNEL)?;
            let garbage = [0x30u8, 0x82, 0xde, 0xad];
            assert_eq!(key.verify_pkcs7(&data, &garbage).err(), Some(EBADMSG));
        }
        Ok(())
    }

    #[test]
    fn payload_past_limit_refused() -> Result {
        let mut test = TestEnv::new(bindings::BPF_LOG_KERNEL)?;
        // The limit is the largest value one array map can hold.
        assert_eq!(MAX_PAYLOAD, i32::MAX as u64);
        // Sizes add up in 64 bits, without wrapping.
        let size = payload_size(8, [u32::MAX, u32::MAX].into_iter());
        assert_eq!(size, 8 + 2 * u64::from(u32::MAX));
        assert_eq!(
            check_payload_size(test.env(), size),
            Err(Rejection::new(Reason::Invalid, E2BIG))
        );
        assert!(test.logged(b"signed payload too large: 8589934598 bytes\n"));
        assert_eq!(
            check_payload_size(test.env(), MAX_PAYLOAD + 1),
            Err(Rejection::new(Reason::Invalid, E2BIG))
        );
        assert!(test.logged(b"signed payload too large: 2147483648 bytes\n"));
        assert_eq!(check_payload_size(test.env(), MAX_PAYLOAD), Ok(()));
        assert!(test.logged(UNWRITTEN));
        Ok(())
    }

    #[test]
    fn large_payload_not_refused_for_size() -> Result {
        // 17 pieces of 1 MiB, all the same bytes: 17 MiB, past the 16 MiB a dynptr can describe,
        // which bounded signed payloads before they were digested where they lie. The key takes
        // them and refuses the signature, not the size.
        let chunk = KVVec::from_elem(0u8, 1 << 20, GFP_KERNEL)?;
        let mut data = Pieces::with_capacity(17, GFP_KERNEL)?;
        for _ in 0..17 {
            data.push_bytes(&chunk, GFP_KERNEL)?;
        }
        assert_eq!(data.count(), 17);
        assert_eq!(data.total_len(), 17 << 20);
        let key = Key::lookup(0);
        assert!(key.is_some());
        if let Some(key) = key {
            let garbage = [0x30u8, 0x82, 0xde, 0xad];
            assert_eq!(key.verify_pkcs7(&data, &garbage).err(), Some(EBADMSG));
        }
        Ok(())
    }

    #[test]
    fn kernel_signature_copy() -> Result {
        let mut test = TestEnv::new(bindings::BPF_LOG_KERNEL)?;
        let sig = [1u8, 2, 3, 4];
        let addr = sig.as_ptr().expose_provenance() as u64;
        let copy = copy_signature(test.env(), BpfPtr::new(addr, true), sig.len());
        assert_eq!(copy.as_deref().ok(), Some(&sig[..]));
        assert!(test.logged(UNWRITTEN));
        Ok(())
    }

    #[test]
    fn kernel_signature_faults() -> Result {
        let mut test = TestEnv::new(bindings::BPF_LOG_KERNEL)?;
        // A kernel-made load's signature pointer is chosen by a BPF program: a low address, a
        // non-canonical one and an unmapped kernel one each fail with EFAULT, never an oops.
        for addr in [0x1000u64, 0x8000_0000_0000_0000, 0xffff_ffff_ffff_f000] {
            let copy = copy_signature(test.env(), BpfPtr::new(addr, true), 64);
            assert_eq!(copy.err(), Some(Rejection::new(Reason::Fault, EFAULT)));
            assert!(test.logged(b"failed to copy signature: -14\n"));
        }
        Ok(())
    }

    #[test]
    fn log_lines() -> Result {
        // Lines are formatted by Rust, through "%pA", into the verifier log.
        let mut test = TestEnv::new(bindings::BPF_LOG_KERNEL)?;
        bpf_verbose!(test.env(), "map '{}' {:#x} {}\n", c"meta", 0x1000, -14);
        assert!(test.logged(b"map 'meta' 0x1000 -14\n"));
        // Nothing is written when the loader asked for no log.
        let mut quiet = TestEnv::new(0)?;
        bpf_verbose!(quiet.env(), "not logged\n");
        assert!(quiet.logged(UNWRITTEN));
        Ok(())
    }

    #[test]
    fn rejection_reasons() {
        // Keys that cannot verify anything, whatever the signature.
        for err in [ENOKEY, EKEYREVOKED, EKEYEXPIRED] {
            assert_eq!(Reason::of_verification(err), Reason::NoKey);
        }
        for err in [EBADMSG, EKEYREJECTED, ENOPKG, EINVAL] {
            assert_eq!(Reason::of_verification(err), Reason::BadSignature);
        }
        assert_eq!(Reason::of_verification(ENOMEM), Reason::NoMemory);
        assert_eq!(Reason::of_verification(E2BIG), Reason::Invalid);
        assert_eq!(Reason::of_copy(EFAULT), Reason::Fault);
        assert_eq!(Reason::of_copy(ENOMEM), Reason::NoMemory);
    }
}
