"""RFC 9162 hashing and proofs: pinned to published values, checked against the RFC's recursive definitions,
and property-tested on random trees (every honest proof verifies; any change to the leaf, the proof, the
index or the roots makes it fail)."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from citizenid.audit.merkle import (
    EMPTY_ROOT,
    CompactRange,
    MemoryTree,
    Subtree,
    leaf_hash,
    node_hash,
    range_subtrees,
    verify_consistency,
    verify_inclusion,
)

# The Certificate Transparency reference tree (RFC 6962 / 9162): eight entries and the root at each size.
CT_ENTRIES = [bytes.fromhex(h) for h in
              ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_INCLUSION = {
    (0, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (5, 8): ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
}
CT_CONSISTENCY = {
    (2, 8): ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (6, 8): ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
}


def ct_tree() -> MemoryTree:
    return MemoryTree(leaf_hash(e) for e in CT_ENTRIES)


# -- the RFC's definitions, written as literally as possible, as an independent reference ----------------


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(leaves: list[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = _k(len(leaves))
    return node_hash(ref_mth(leaves[:k]), ref_mth(leaves[k:]))


def ref_path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = _k(len(leaves))
    if m < k:
        return [*ref_path(m, leaves[:k]), ref_mth(leaves[k:])]
    return [*ref_path(m - k, leaves[k:]), ref_mth(leaves[:k])]


def ref_subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [ref_mth(leaves)]
    k = _k(n)
    if m <= k:
        return [*ref_subproof(m, leaves[:k], whole), ref_mth(leaves[k:])]
    return [*ref_subproof(m - k, leaves[k:], False), ref_mth(leaves[:k])]


def hashes(count: int, salt: int = 0) -> list[bytes]:
    return [leaf_hash(f"{salt}:{i}".encode()) for i in range(count)]


# -- published values ------------------------------------------------------------------------------------


def test_hashing_follows_the_reference_vectors() -> None:
    assert hashlib.sha256(b"").digest() == EMPTY_ROOT
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert node_hash(b"a" * 32, b"b" * 32) == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()


def test_roots_of_the_ct_reference_tree() -> None:
    tree = ct_tree()
    assert [tree.root(n).hex() for n in range(9)] == CT_ROOTS


@pytest.mark.parametrize(("index", "size"), CT_INCLUSION)
def test_inclusion_proofs_of_the_ct_reference_tree(index: int, size: int) -> None:
    tree = ct_tree()
    proof = tree.inclusion_proof(index, size)
    assert [h.hex() for h in proof] == CT_INCLUSION[index, size]
    assert verify_inclusion(index, size, leaf_hash(CT_ENTRIES[index]), proof, bytes.fromhex(CT_ROOTS[size]))


@pytest.mark.parametrize(("first", "second"), CT_CONSISTENCY)
def test_consistency_proofs_of_the_ct_reference_tree(first: int, second: int) -> None:
    tree = ct_tree()
    proof = tree.consistency_proof(first, second)
    assert [h.hex() for h in proof] == CT_CONSISTENCY[first, second]
    assert verify_consistency(first, second, bytes.fromhex(CT_ROOTS[first]), bytes.fromhex(CT_ROOTS[second]), proof)


def test_every_proof_of_every_small_tree_matches_the_rfc_definitions() -> None:
    leaves = hashes(70)
    tree = MemoryTree(leaves)
    for n in range(1, 71):
        assert tree.root(n) == ref_mth(leaves[:n])
        for m in range(n):
            assert tree.inclusion_proof(m, n) == ref_path(m, leaves[:n]), (m, n)
        for m in range(1, n):
            assert tree.consistency_proof(m, n) == ref_subproof(m, leaves[:n], True), (m, n)


# -- edge cases ----------------------------------------------------------------------------------------


def test_degenerate_consistency_cases() -> None:
    tree = MemoryTree(hashes(8))
    root4, root5, root8 = tree.root(4), tree.root(5), tree.root(8)
    assert tree.consistency_proof(4, 4) == []
    assert verify_consistency(4, 4, root4, root4, [])
    assert not verify_consistency(4, 4, root4, root5, [])
    assert not verify_consistency(4, 4, root4, root4, [root4])
    assert verify_consistency(0, 8, EMPTY_ROOT, root8, [])
    assert not verify_consistency(0, 8, root4, root8, [])
    assert not verify_consistency(5, 4, root5, root4, [])
    assert not verify_consistency(4, 8, root4, root8, [])


def test_malformed_inputs_are_refused_not_crashed_on() -> None:
    tree = MemoryTree(hashes(8))
    proof, root, leaf = tree.inclusion_proof(5), tree.root(), hashes(8)[5]
    assert verify_inclusion(5, 8, leaf, proof, root)
    assert not verify_inclusion(5, 8, leaf[:31], proof, root)
    assert not verify_inclusion(5, 8, leaf, [proof[0][:31], *proof[1:]], root)
    assert not verify_inclusion(8, 8, leaf, proof, root)
    assert not verify_inclusion(-1, 8, leaf, proof, root)
    with pytest.raises(ValueError, match="not in a tree"):
        tree.inclusion_proof(8, 8)
    with pytest.raises(ValueError, match="no consistency proof"):
        tree.consistency_proof(5, 3)
    with pytest.raises(ValueError, match="not a range"):
        range_subtrees(3, 7)
    with pytest.raises(ValueError, match="edge hashes"):
        CompactRange(3, [root])


def test_subtree_keys_round_trip() -> None:
    for subtree in (Subtree(0, 0), Subtree(1, 7), Subtree(40, 3), Subtree(0, 2**47 + 5)):
        assert Subtree.from_key(subtree.key) == subtree
    assert Subtree(2, 3).start == 12
    assert Subtree(2, 3).end == 16


def test_compact_range_resumes_from_its_edge() -> None:
    leaves = hashes(45)
    whole = CompactRange()
    for leaf in leaves[:29]:
        whole.append(leaf)
    resumed = CompactRange(29, whole.edge)
    for leaf in leaves[29:]:
        whole.append(leaf)
        resumed.append(leaf)
    assert resumed.root() == whole.root() == ref_mth(leaves)


# -- properties on random trees --------------------------------------------------------------------------

sizes = st.integers(min_value=1, max_value=300)


@settings(deadline=None)  # trees of hundreds of leaves: a busy CI core must not fail them on time
@given(size=sizes, data=st.data())
def test_every_inclusion_proof_verifies_and_any_change_fails(size: int, data: st.DataObject) -> None:
    leaves = hashes(size, salt=data.draw(st.integers(0, 10**6)))
    tree = MemoryTree(leaves)
    index = data.draw(st.integers(0, size - 1))
    proof, root = tree.inclusion_proof(index), tree.root()
    assert verify_inclusion(index, size, leaves[index], proof, root)
    assert not verify_inclusion(index, size, leaf_hash(b"another entry"), proof, root)
    # (The size is not in this list: a signed checkpoint binds size and root together, and RFC 9162 lets the
    # same path fit several sizes around one root.)
    assert not verify_inclusion(index, size, leaves[index], [*proof, root], root)
    if size > 1:
        other = data.draw(st.integers(0, size - 1).filter(lambda i: i != index))
        assert not verify_inclusion(other, size, leaves[index], proof, root)
        assert not verify_inclusion(index, size, leaves[index], proof[:-1], root)
        position = data.draw(st.integers(0, len(proof) - 1))
        bit = data.draw(st.integers(0, 255))
        altered = bytearray(proof[position])
        altered[bit // 8] ^= 1 << (bit % 8)
        assert not verify_inclusion(index, size, leaves[index], [*proof[:position], bytes(altered),
                                                                 *proof[position + 1:]], root)


@settings(deadline=None)
@given(second=sizes, data=st.data())
def test_every_consistency_proof_verifies_and_any_change_fails(second: int, data: st.DataObject) -> None:
    leaves = hashes(second, salt=data.draw(st.integers(0, 10**6)))
    tree = MemoryTree(leaves)
    first = data.draw(st.integers(1, second))
    proof = tree.consistency_proof(first, second)
    first_root, second_root = tree.root(first), tree.root(second)
    assert verify_consistency(first, second, first_root, second_root, proof)
    assume(first < second)
    assert not verify_consistency(first, second, leaf_hash(b"x"), second_root, proof)
    assert not verify_consistency(first, second, first_root, leaf_hash(b"x"), proof)
    forked = MemoryTree([*leaves[:first], *hashes(second - first, salt=-1)])
    assert not verify_consistency(first, second, first_root, forked.root(), proof)
    position = data.draw(st.integers(0, len(proof) - 1))
    altered = bytearray(proof[position])
    altered[data.draw(st.integers(0, 31))] ^= 0x80
    assert not verify_consistency(first, second, first_root, second_root,
                                  [*proof[:position], bytes(altered), *proof[position + 1:]])
    assert not verify_consistency(first, second, first_root, second_root, proof[:-1])
