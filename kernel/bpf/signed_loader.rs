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
    bpf::{self, bpf_verbose, BpfPtr, Key, Map, VerifierEnv},
    prelude::*,
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

/// The bytes a signature covers: the instructions, then each metadata map's value.
struct Payload {
    buf: KVVec<u8>,
}

impl Payload {
    /// Returns the size of a payload of `insns_len` bytes of instructions and maps of
    /// `value_sizes`.
    fn size(insns_len: usize, value_sizes: impl Iterator<Item = u32>) -> u64 {
        value_sizes.fold(insns_len as u64, |acc, size| acc + u64::from(size))
    }

    /// Allocates an empty payload for `size` bytes, charged to the loading task's memory cgroup.
    fn with_capacity(size: u64) -> Result<Self> {
        let size = usize::try_from(size).map_err(|_| E2BIG)?;
        Ok(Self {
            buf: KVVec::with_capacity(size, GFP_KERNEL_ACCOUNT)?,
        })
    }

    /// Appends `bytes`.
    fn push(&mut self, bytes: &[u8]) -> Result {
        self.buf.extend_from_slice(bytes, GFP_KERNEL_ACCOUNT)?;
        Ok(())
    }

    /// Appends the value of `map`.
    fn push_map(&mut self, map: &Map) -> Result {
        map.read_value_into(&mut self.buf, GFP_KERNEL_ACCOUNT)
    }

    fn as_bytes(&self) -> &[u8] {
        &self.buf
    }
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
    let sig = signature
        .read_to_vec(signature_len, GFP_USER | __GFP_NOWARN)
        .map_err(|err| {
            bpf_verbose!(env, "failed to copy signature: {}\n", err.to_errno());
            Rejection::new(Reason::of_copy(err), err)
        })?;

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
    let size = Payload::size(insns.len(), env.used_maps().map(Map::value_size));
    if let Err(err) = bpf::dynptr_check_size(size) {
        bpf_verbose!(env, "signed payload too large: {} bytes\n", size);
        return Err(Rejection::new(Reason::Invalid, err));
    }
    let no_memory = |err| {
        bpf_verbose!(env, "cannot allocate the signed payload: {} bytes\n", size);
        Rejection::new(Reason::NoMemory, err)
    };
    let mut payload = Payload::with_capacity(size).map_err(no_memory)?;
    payload.push(insns).map_err(no_memory)?;
    for map in env.used_maps() {
        payload.push_map(map).map_err(|err| {
            bpf_verbose!(
                env,
                "failed to read signed metadata map '{}': {}\n",
                map.name(),
                err.to_errno()
            );
            Rejection::new(Reason::Map, err)
        })?;
    }

    match key.verify_pkcs7(payload.as_bytes(), &sig) {
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
    use kernel::bpf::Keyring;

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
    fn keyring_classification() {
        assert_eq!(Keyring::from_id(0), Keyring::Builtin);
        assert_eq!(Keyring::from_id(1), Keyring::Secondary);
        assert_eq!(Keyring::from_id(2), Keyring::Platform);
        assert_eq!(Keyring::from_id(3), Keyring::User);
        // KEY_SPEC_SESSION_KEYRING and other special ids are negative: user keyrings.
        assert_eq!(Keyring::from_id(-3), Keyring::User);
        assert_eq!(Keyring::from_id(i32::MAX), Keyring::User);
        assert!(Keyring::is_system_id(0));
        assert!(Keyring::is_system_id(2));
        assert!(!Keyring::is_system_id(3));
        assert!(!Keyring::is_system_id(-3));
        assert!(!Keyring::is_system_id(i32::MIN));
        // The values recorded in prog->aux->sig.keyring_type.
        assert_eq!(
            Keyring::User as u32,
            bindings::bpf_sig_keyring_BPF_SIG_KEYRING_USER
        );
    }

    #[test]
    fn key_lookup() {
        // The system keyrings, whose keys have no serial of their own.
        for (id, keyring) in [
            (0, Keyring::Builtin),
            (1, Keyring::Secondary),
            (2, Keyring::Platform),
        ] {
            let key = Key::lookup(id);
            assert_eq!(key.map(|k| (k.keyring(), k.serial())), Some((keyring, 0)));
        }
        // Neither a key serial (those are positive) nor a `KEY_SPEC_*` value.
        assert!(Key::lookup(-100).is_none());
    }

    #[test]
    fn garbage_signature_refused() {
        let key = Key::lookup(0);
        assert!(key.is_some());
        if let Some(key) = key {
            let garbage = [0x30u8, 0x82, 0xde, 0xad];
            assert_eq!(key.verify_pkcs7(b"data", &garbage).err(), Some(EBADMSG));
        }
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
        assert_eq!(Reason::of_copy(EFAULT), Reason::Fault);
        assert_eq!(Reason::of_copy(ENOMEM), Reason::NoMemory);
    }

    #[test]
    fn map_rejection_errors() {
        let cases = [
            (MapRejection::NotArray, EINVAL, "must be an array"),
            (MapRejection::NotFrozen, EPERM, "must be frozen"),
            (MapRejection::ActiveWriters, EBUSY, "has active writers"),
            (MapRejection::NotExclusive, EPERM, "must be exclusive"),
        ];
        for (rejection, error, reason) in cases {
            assert_eq!(rejection.error(), error);
            assert_eq!(rejection.reason(), reason);
        }
    }

    #[test]
    fn payload_size_limits() {
        // DYNPTR_MAX_SIZE in kernel/bpf/helpers.c.
        const MAX: u64 = (1 << 24) - 1;
        assert_eq!(Payload::size(16, [4096u32, 8].into_iter()), 16 + 4096 + 8);
        assert_eq!(Payload::size(0, core::iter::empty()), 0);
        // Sizes add up in 64 bits, without wrapping.
        assert_eq!(
            Payload::size(8, [u32::MAX, u32::MAX].into_iter()),
            8 + 2 * u64::from(u32::MAX)
        );
        assert_eq!(bpf::dynptr_check_size(0), Ok(()));
        assert_eq!(bpf::dynptr_check_size(MAX), Ok(()));
        assert_eq!(bpf::dynptr_check_size(MAX + 1), Err(E2BIG));
        assert_eq!(bpf::dynptr_check_size(u64::MAX), Err(E2BIG));
    }

    #[test]
    fn payload_layout() -> Result {
        let insns = [0x85u8, 0, 0, 0, 1, 0, 0, 0];
        let mut payload = Payload::with_capacity(12)?;
        payload.push(&insns)?;
        payload.push(&[0xaa, 0xbb])?;
        payload.push(&[0xcc, 0xdd])?;
        assert_eq!(
            payload.as_bytes(),
            &[0x85, 0, 0, 0, 1, 0, 0, 0, 0xaa, 0xbb, 0xcc, 0xdd]
        );
        Ok(())
    }

    #[test]
    fn kernel_signature_copy() -> Result {
        let sig = [1u8, 2, 3, 4];
        let copy = BpfPtr::new(sig.as_ptr() as u64, true).read_to_vec(sig.len(), GFP_KERNEL)?;
        assert_eq!(&copy[..], &sig);
        Ok(())
    }

    #[test]
    fn kernel_signature_faults() {
        // A kernel-made load's signature pointer is chosen by a BPF program: a low address, a
        // non-canonical one and an unmapped kernel one each fail with EFAULT, never an oops.
        for addr in [0x1000u64, 0x8000_0000_0000_0000, 0xffff_ffff_ffff_f000] {
            assert_eq!(
                BpfPtr::new(addr, true).read_to_vec(64, GFP_KERNEL).err(),
                Some(EFAULT)
            );
        }
    }
}
