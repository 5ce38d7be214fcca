// SPDX-License-Identifier: GPL-2.0

//! Data in pieces that lie apart in memory, verified as one without being assembled.
//!
//! C header: [`include/linux/uio.h`](srctree/include/linux/uio.h).

use crate::{
    alloc::Flags,
    bindings,
    bpf::map::Map,
    prelude::*, //
};
use core::marker::PhantomData;

/// Data made of pieces that lie apart in memory and are read in order as one: an array of
/// `struct kvec`.
///
/// A piece is either bytes borrowed for `'a`, or the value of a map referenced for `'a`, which a
/// running BPF program may write at any time. So [`Pieces`] holds only addresses and lengths, and
/// only C reads the memory they describe (see
/// [`Key::verify_pkcs7`](crate::bpf::key::Key::verify_pkcs7)).
///
/// # Invariants
///
/// Every entry of `vecs` describes memory that stays valid for reads for `'a`.
pub struct Pieces<'a> {
    vecs: KVec<bindings::kvec>,
    _memory: PhantomData<&'a [u8]>,
}

impl<'a> Pieces<'a> {
    /// Creates an empty list of pieces, with room for `count` of them.
    pub fn with_capacity(count: usize, flags: Flags) -> Result<Self> {
        Ok(Self {
            vecs: KVec::with_capacity(count, flags)?,
            _memory: PhantomData,
        })
    }

    /// Appends a piece, given memory that stays valid for reads for `'a`.
    fn push(&mut self, base: *mut c_void, len: usize, flags: Flags) -> Result {
        self.vecs.push(
            bindings::kvec {
                iov_base: base,
                iov_len: len,
            },
            flags,
        )?;
        Ok(())
    }

    /// Appends `bytes`.
    pub fn push_bytes(&mut self, bytes: &'a [u8], flags: Flags) -> Result {
        // INVARIANT: `bytes` is borrowed for `'a`. Only C reads pieces, so casting away `const`
        // never leads to a write.
        self.push(bytes.as_ptr().cast_mut().cast(), bytes.len(), flags)
    }

    /// Appends the value of `map` (see [`Map::value_addr`]).
    ///
    /// Fails as [`Map::value_addr`] does, or with [`ENOMEM`].
    pub fn push_map_value(&mut self, map: &'a Map, flags: Flags) -> Result {
        let addr = map.value_addr()?;
        // INVARIANT: The value of a plain array map is allocated with the map, which stays
        // referenced for `'a`.
        self.push(addr, map.value_size() as usize, flags)
    }

    /// Returns the number of bytes of all pieces together (saturating at `u64::MAX`).
    pub fn total_len(&self) -> u64 {
        self.vecs.iter().fold(0u64, |total, piece| {
            total.saturating_add(piece.iov_len as u64)
        })
    }

    /// Returns the number of pieces.
    #[inline]
    pub fn count(&self) -> usize {
        self.vecs.len()
    }

    /// Returns a pointer to the array of [`Pieces::count`] `struct kvec`, for C to read.
    #[inline]
    pub fn as_ptr(&self) -> *const bindings::kvec {
        self.vecs.as_ptr()
    }
}
