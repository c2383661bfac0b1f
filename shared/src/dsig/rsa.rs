//! RSA PKCS#1 v1.5 signature verification (RFC 8017 §8.2.2) for XML signatures.
//!
//! Only the public-key operation, s^e mod n, is needed, and it handles no secret, so it needs
//! neither constant time nor blinding. It is written here with Montgomery multiplication on
//! 64-bit limbs: pure Rust (the core builds for wasm32), and about five times faster than the
//! general-purpose bignum code of the `rsa` crate, which set the verification throughput.

/// Little-endian 64-bit limbs of a big-endian byte string.
fn limbs(be: &[u8], k: usize) -> Vec<u64> {
    let mut out = vec![0u64; k];
    for (i, b) in be.iter().rev().enumerate() {
        out[i / 8] |= u64::from(*b) << (8 * (i % 8));
    }
    out
}

fn ge(a: &[u64], b: &[u64]) -> bool {
    for i in (0..a.len()).rev() {
        if a[i] != b[i] {
            return a[i] > b[i];
        }
    }
    true
}

fn sub_in_place(a: &mut [u64], b: &[u64]) {
    let mut borrow = 0u64;
    for i in 0..a.len() {
        let (d1, o1) = a[i].overflowing_sub(b[i]);
        let (d2, o2) = d1.overflowing_sub(borrow);
        a[i] = d2;
        borrow = u64::from(o1 | o2);
    }
}

/// 2a mod n, for a < n.
fn double_mod(a: &mut [u64], n: &[u64]) {
    let mut carry = 0u64;
    for x in a.iter_mut() {
        let top = *x >> 63;
        *x = (*x << 1) | carry;
        carry = top;
    }
    if carry == 1 || ge(a, n) {
        sub_in_place(a, n);
    }
}

struct Montgomery<'a> {
    n: &'a [u64],
    /// -n⁻¹ mod 2⁶⁴.
    n0inv: u64,
}

impl Montgomery<'_> {
    /// a·b·R⁻¹ mod n, for a, b < n: schoolbook product, then Montgomery reduction (SOS).
    fn mul(&self, a: &[u64], b: &[u64]) -> Vec<u64> {
        let k = self.n.len();
        let mut p = vec![0u64; 2 * k + 1];
        for (i, &ai) in a.iter().enumerate() {
            let mut c = 0u128;
            for (pj, &bj) in p[i..i + k].iter_mut().zip(b) {
                let x = u128::from(*pj) + u128::from(ai) * u128::from(bj) + c;
                *pj = x as u64;
                c = x >> 64;
            }
            p[i + k] = c as u64;
        }
        self.reduce(p)
    }

    /// a²·R⁻¹ mod n: each cross product once, doubled, plus the squares (~25 % fewer
    /// multiplications than `mul`; exponentiation is almost all squarings).
    fn square(&self, a: &[u64]) -> Vec<u64> {
        let k = self.n.len();
        let mut p = vec![0u64; 2 * k + 1];
        for (i, &ai) in a.iter().enumerate() {
            let mut c = 0u128;
            for (pj, &aj) in p[2 * i + 1..i + k].iter_mut().zip(&a[i + 1..]) {
                let x = u128::from(*pj) + u128::from(ai) * u128::from(aj) + c;
                *pj = x as u64;
                c = x >> 64;
            }
            p[i + k] = c as u64;
        }
        let mut carry = 0u64;
        for x in p.iter_mut() {
            let top = *x >> 63;
            *x = (*x << 1) | carry;
            carry = top;
        }
        let mut c = 0u128;
        for (i, &ai) in a.iter().enumerate() {
            let sq = u128::from(ai) * u128::from(ai);
            let lo = u128::from(p[2 * i]) + (sq & u128::from(u64::MAX)) + c;
            p[2 * i] = lo as u64;
            let hi = u128::from(p[2 * i + 1]) + (sq >> 64) + (lo >> 64);
            p[2 * i + 1] = hi as u64;
            c = hi >> 64;
        }
        p[2 * k] = p[2 * k].wrapping_add(c as u64);
        self.reduce(p)
    }

    /// p·R⁻¹ mod n for p < n·R (2k limbs plus one for carries).
    fn reduce(&self, mut p: Vec<u64>) -> Vec<u64> {
        let k = self.n.len();
        for i in 0..k {
            let m = p[i].wrapping_mul(self.n0inv);
            let mut c = 0u128;
            for (pj, &nj) in p[i..i + k].iter_mut().zip(self.n) {
                let x = u128::from(*pj) + u128::from(m) * u128::from(nj) + c;
                *pj = x as u64;
                c = x >> 64;
            }
            for pj in p[i + k..].iter_mut() {
                if c == 0 {
                    break;
                }
                let x = u128::from(*pj) + c;
                *pj = x as u64;
                c = x >> 64;
            }
        }
        let carry = p[2 * k];
        let mut t = p[k..2 * k].to_vec();
        if carry != 0 || ge(&t, self.n) {
            sub_in_place(&mut t, self.n);
        }
        t
    }

    /// base^exp in the Montgomery domain (`base` and `one` in Montgomery form), left to right
    /// from the highest set bit: 65537 costs 16 squarings and one multiplication.
    fn pow(&self, base: &[u64], exp_be: &[u8], one: &[u64]) -> Vec<u64> {
        let mut acc: Option<Vec<u64>> = None;
        for byte in exp_be {
            for bit in (0..8).rev() {
                if let Some(a) = &acc {
                    acc = Some(self.square(a));
                }
                if byte >> bit & 1 == 1 {
                    acc = Some(match &acc {
                        Some(a) => self.mul(a, base),
                        None => base.to_vec(),
                    });
                }
            }
        }
        acc.unwrap_or_else(|| one.to_vec())
    }
}

/// An RSA public key with its Montgomery constants, computed once and reused for every
/// verification with that key (a signer's own certificate verifies each value it returns).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    n: Vec<u64>,
    n0inv: u64,
    /// R mod n: 1 in Montgomery form.
    r: Vec<u64>,
    /// R² mod n: converts into Montgomery form.
    r2: Vec<u64>,
    exponent: Vec<u8>,
    len: usize,
}

impl PublicKey {
    /// `None` for an even or empty modulus or a zero exponent.
    pub fn new(modulus: &[u8], exponent: &[u8]) -> Option<Self> {
        let modulus = &modulus[modulus.iter().position(|b| *b != 0)?..];
        let k = modulus.len().div_ceil(8);
        let n = limbs(modulus, k);
        if n[0] & 1 == 0 || exponent.iter().all(|b| *b == 0) {
            return None;
        }
        // Newton's iteration for n[0]⁻¹ mod 2⁶⁴ (n[0] odd): each step doubles the correct bits.
        let mut inv = 1u64;
        for _ in 0..6 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(n[0].wrapping_mul(inv)));
        }
        let n0inv = inv.wrapping_neg();
        // R mod n (R = 2^(64k)) by doubling 2^(bits-1); then R² mod n as the Montgomery power
        // (2R)^(64k) = 2^(64k)·R: a dozen multiplications instead of a long division.
        let bits = modulus.len() * 8 - modulus[0].leading_zeros() as usize;
        let mut r = vec![0u64; k];
        r[(bits - 1) / 64] = 1 << ((bits - 1) % 64);
        for _ in bits - 1..64 * k {
            double_mod(&mut r, &n);
        }
        let mut two = r.clone();
        double_mod(&mut two, &n);
        let mont = Montgomery { n: &n, n0inv };
        let r2 = mont.pow(&two, &((64 * k) as u64).to_be_bytes(), &r);
        Some(PublicKey {
            n0inv,
            r,
            r2,
            exponent: exponent.to_vec(),
            len: modulus.len(),
            n,
        })
    }

    /// s^e mod n as a big-endian byte string of n's length; `None` when s ≥ n.
    pub fn public_op(&self, signature: &[u8]) -> Option<Vec<u8>> {
        if signature.len() > self.len {
            return None;
        }
        let k = self.n.len();
        let s = limbs(signature, k);
        if ge(&s, &self.n) {
            return None;
        }
        let mont = Montgomery {
            n: &self.n,
            n0inv: self.n0inv,
        };
        let s_m = mont.mul(&s, &self.r2);
        let x_m = mont.pow(&s_m, &self.exponent, &self.r);
        let mut one = vec![0u64; k];
        one[0] = 1;
        let x = mont.mul(&x_m, &one);
        Some(
            (0..self.len)
                .rev()
                .map(|i| (x[i / 8] >> (8 * (i % 8))) as u8)
                .collect(),
        )
    }

    /// RSA PKCS#1 v1.5: checks `signature` over a message whose digest is `hash`, `prefix`
    /// being the DER `DigestInfo` prefix of the hash.
    pub fn verify_pkcs1v15(&self, prefix: &[u8], hash: &[u8], signature: &[u8]) -> bool {
        let Some(em) = self.public_op(signature) else {
            return false;
        };
        // EM = 0x00 0x01 FF…FF 0x00 DigestInfo, at least eight FF bytes.
        let t_len = prefix.len() + hash.len();
        if em.len() < t_len + 11 {
            return false;
        }
        let ps = em.len() - t_len - 3;
        em[0] == 0
            && em[1] == 1
            && em[2..2 + ps].iter().all(|b| *b == 0xff)
            && em[2 + ps] == 0
            && &em[3 + ps..3 + ps + prefix.len()] == prefix
            && &em[3 + ps + prefix.len()..] == hash
    }
}

/// s^e mod n (see [`PublicKey::public_op`]).
pub fn public_op(signature: &[u8], exponent: &[u8], modulus: &[u8]) -> Option<Vec<u8>> {
    PublicKey::new(modulus, exponent)?.public_op(signature)
}

/// DER `DigestInfo` prefixes (RFC 8017 §9.2, note 1).
pub(crate) const SHA1_PREFIX: &[u8] = &[
    0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14,
];
pub(crate) const SHA256_PREFIX: &[u8] = &[
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];
pub(crate) const SHA384_PREFIX: &[u8] = &[
    0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05,
    0x00, 0x04, 0x30,
];
pub(crate) const SHA512_PREFIX: &[u8] = &[
    0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05,
    0x00, 0x04, 0x40,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_modulus_arithmetic_is_right() {
        // 3233 = 61 × 53, e = 17: 65^17 mod 3233 = 2790 (the textbook example).
        let n = 3233u16.to_be_bytes();
        assert_eq!(
            public_op(&65u16.to_be_bytes(), &[17], &n),
            Some(2790u16.to_be_bytes().to_vec())
        );
        // Across a limb boundary: n = 2^64 + 13 (odd), s = 2^63, e = 3.
        let n: Vec<u8> = [1u8].into_iter().chain(13u64.to_be_bytes()).collect();
        let s = (1u64 << 63).to_be_bytes();
        let expected = {
            // (2^63)^3 = 2^189 mod (2^64 + 13), computed by repeated doubling.
            let m = (1u128 << 64) + 13;
            let mut x: u128 = 1;
            for _ in 0..189 {
                x = (x * 2) % m;
            }
            x
        };
        let got = public_op(&s, &[3], &n).unwrap();
        let got = got.iter().fold(0u128, |a, b| (a << 8) | u128::from(*b));
        assert_eq!(got, expected);
    }

    #[test]
    fn squaring_equals_multiplying_by_itself() {
        // A 192-bit odd modulus and a few operands, including ones with the top bits set.
        let n = [
            0xffff_ffff_ffff_ffc5u64,
            0x1234_5678_9abc_def1,
            0xf000_0000_0000_0001,
        ];
        let mont = Montgomery {
            n: &n,
            n0inv: {
                let mut inv = 1u64;
                for _ in 0..6 {
                    inv = inv.wrapping_mul(2u64.wrapping_sub(n[0].wrapping_mul(inv)));
                }
                inv.wrapping_neg()
            },
        };
        for a in [
            [1u64, 0, 0],
            [u64::MAX, u64::MAX, 0xefff_ffff_ffff_ffff],
            [7, 1 << 63, 1 << 60],
        ] {
            assert_eq!(mont.square(&a), mont.mul(&a, &a), "{a:x?}");
        }
    }

    #[test]
    fn refuses_even_moduli_and_oversized_signatures() {
        assert_eq!(public_op(&[1], &[3], &[0x10]), None);
        assert_eq!(public_op(&[0x0f, 0xff], &[3], &[0x0d]), None);
    }
}
