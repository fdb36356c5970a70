"""Baseline JPEG decoding in numpy, computing what libjpeg(-turbo) computes with
TensorFlow's settings, so decoded pixels equal tf.image.decode_jpeg's bit for bit (the
encoder is ir/jpeg_encode.py; the Annex K tables here serve both).

decode_jpeg(data, channels)  baseline and extended sequential Huffman JPEGs (SOF0/SOF1,
                             8-bit, 1 or 3 components, any sampling factors, restart
                             intervals, several scans): libjpeg's accurate integer IDCT
                             (jidctint.c), its "fancy" triangle upsampling of 2:1 chroma
                             (jdsample.c) and its integer YCbCr -> RGB tables (jdcolor.c).
                             Progressive, arithmetic-coded, 12-bit and CMYK files are
                             refused with a ValueError naming what they are.
                             TensorFlow's default dct_method is libjpeg's fast integer
                             IDCT (jidctfst.c: `fast_idct`), bit for bit too.
jpeg_shape(data)             [height, width, components] from the frame header.

The entropy decoder reads one Huffman symbol per table lookup (16 bits peeked); the
transforms run vectorised over all blocks of a component.
"""
from __future__ import annotations

import struct

import numpy as np

ZIGZAG = np.array([
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34,
    27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44,
    51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63])  # zigzag -> natural

# Annex K.1: the example quantization tables (natural order).
_LUMA_Q = np.array([
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57,
    69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64,
    81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99])
_CHROMA_Q = np.array([
    17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99,
    99, 99, 47, 66, 99, 99, 99, 99, 99, 99] + [99] * 32)

# Annex K.3: the typical Huffman tables, (code counts per length 1..16, symbols).
_DC_LUMA = ([0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], list(range(12)))
_DC_CHROMA = ([0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], list(range(12)))
_AC_LUMA = ([0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D], bytes.fromhex(
    "01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a"
    "25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a"
    "838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9ca"
    "d2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9fa"))
_AC_CHROMA = ([0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77], bytes.fromhex(
    "000102031104052131061241510761711322328108144291a1b1c109233352f0156272d10a162434e125f11718"
    "191a262728292a35363738393a434445464748494a535455565758595a636465666768696a737475767778797a"
    "82838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9ca"
    "d2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8f9fa"))

# jidctint.c / jfdctint.c constants (CONST_BITS 13)
_CB, _P1 = 13, 2
F0298, F0390, F0541, F0765 = 2446, 3196, 4433, 6270
F0899, F1175, F1501, F1847 = 7373, 9633, 12299, 15137
F1961, F2053, F2562, F3072 = 16069, 16819, 20995, 25172


def _ceil(a: int, b: int) -> int:
    return -(-a // b)


def _descale(x, n: int):
    return (x + (1 << (n - 1))) >> n


# ---------------------------------------------------------------- the transforms
def _idct_pass(x: np.ndarray, shift: int) -> np.ndarray:
    """One pass of jidctint's islow IDCT along the last axis of int64 `x` (..., 8)."""
    i = [x[..., k] for k in range(8)]
    z1 = (i[2] + i[6]) * F0541
    tmp2 = z1 + i[6] * -F1847
    tmp3 = z1 + i[2] * F0765
    tmp0 = (i[0] + i[4]) << _CB
    tmp1 = (i[0] - i[4]) << _CB
    t10, t13, t11, t12 = tmp0 + tmp3, tmp0 - tmp3, tmp1 + tmp2, tmp1 - tmp2
    o0, o1, o2, o3 = i[7], i[5], i[3], i[1]
    z1, z2, z3, z4 = o0 + o3, o1 + o2, o0 + o2, o1 + o3
    z5 = (z3 + z4) * F1175
    o0, o1, o2, o3 = o0 * F0298, o1 * F2053, o2 * F3072, o3 * F1501
    z1, z2, z3, z4 = z1 * -F0899, z2 * -F2562, z3 * -F1961 + z5, z4 * -F0390 + z5
    o0, o1, o2, o3 = o0 + z1 + z3, o1 + z2 + z4, o2 + z2 + z3, o3 + z1 + z4
    return np.stack([_descale(t10 + o3, shift), _descale(t11 + o2, shift),
                     _descale(t12 + o1, shift), _descale(t13 + o0, shift),
                     _descale(t13 - o0, shift), _descale(t12 - o1, shift),
                     _descale(t11 - o2, shift), _descale(t10 - o3, shift)], -1)


def idct_islow(coefs: np.ndarray) -> np.ndarray:
    """Dequantized coefficient blocks (n, 8, 8) [row frequency, column] -> samples 0..255."""
    ws = _idct_pass(np.swapaxes(coefs.astype(np.int64), 1, 2), _CB - _P1)  # columns
    out = _idct_pass(np.swapaxes(ws, 1, 2), _CB + _P1 + 3)                 # rows
    return np.clip(out + 128, 0, 255).astype(np.uint8)


# jidctfst.c (the AAN "fast integer" IDCT, TensorFlow's default dct_method): CONST_BITS 8,
# shifts without rounding; quantization tables prescaled by the AAN factors (jddctmgr.c).
_AAN = np.array([
    16384, 22725, 21407, 19266, 16384, 12873, 8867, 4520, 22725, 31521, 29692, 26722, 22725,
    17855, 12299, 6270, 21407, 29692, 27969, 25172, 21407, 16819, 11585, 5906, 19266, 26722,
    25172, 22654, 19266, 15137, 10426, 5315, 16384, 22725, 21407, 19266, 16384, 12873, 8867,
    4520, 12873, 17855, 16819, 15137, 12873, 10114, 6967, 3552, 8867, 12299, 11585, 10426,
    8867, 6967, 4799, 2446, 4520, 6270, 5906, 5315, 4520, 3552, 2446, 1247], np.int64)
A1082, A1414, A1847, A2613 = 277, 362, 473, 669


def fast_multipliers(quant: np.ndarray) -> np.ndarray:
    return _descale(quant.astype(np.int64) * _AAN, 12)


def _idct_fast_pass(x: np.ndarray) -> np.ndarray:
    i = [x[..., k] for k in range(8)]
    t10, t11 = i[0] + i[4], i[0] - i[4]
    t13 = i[2] + i[6]
    t12 = (((i[2] - i[6]) * A1414) >> 8) - t13
    e0, e3, e1, e2 = t10 + t13, t10 - t13, t11 + t12, t11 - t12
    z13, z10, z11, z12 = i[5] + i[3], i[5] - i[3], i[1] + i[7], i[1] - i[7]
    o7 = z11 + z13
    o11 = ((z11 - z13) * A1414) >> 8
    z5 = ((z10 + z12) * A1847) >> 8
    o10 = ((z12 * A1082) >> 8) - z5
    o12 = ((z10 * -A2613) >> 8) + z5
    o6 = o12 - o7
    o5 = o11 - o6
    o4 = o10 + o5
    return np.stack([e0 + o7, e1 + o6, e2 + o5, e3 - o4, e3 + o4, e2 - o5, e1 - o6,
                     e0 - o7], -1)


def idct_ifast(coefs: np.ndarray) -> np.ndarray:
    """Coefficient blocks (n, 8, 8) already multiplied by `fast_multipliers` -> samples."""
    ws = _idct_fast_pass(np.swapaxes(coefs.astype(np.int64), 1, 2))
    out = _idct_fast_pass(np.swapaxes(ws, 1, 2)) >> 5
    return np.clip(out + 128, 0, 255).astype(np.uint8)


# ---------------------------------------------------------------- colour and sampling
_ONE_HALF = 1 << 15
_CENTRED = np.arange(256, dtype=np.int64) - 128
_CR_R = (91881 * _CENTRED + _ONE_HALF) >> 16
_CB_B = (116130 * _CENTRED + _ONE_HALF) >> 16
_CR_G = -46802 * _CENTRED
_CB_G = -22554 * _CENTRED + _ONE_HALF


def ycc_to_rgb(y, cb, cr) -> np.ndarray:
    y = y.astype(np.int64)
    r = y + _CR_R[cr]
    g = y + ((_CB_G[cb] + _CR_G[cr]) >> 16)
    b = y + _CB_B[cb]
    return np.clip(np.stack([r, g, b], -1), 0, 255).astype(np.uint8)


def _fancy_h2(x: np.ndarray, bias_even: int, bias_odd: int, scale: int,
              shift: int) -> np.ndarray:
    """jdsample's horizontal triangle filter on rows of column sums `x` (int64)."""
    n = x.shape[-1]
    out = np.empty(x.shape[:-1] + (2 * n,), np.int64)
    if n == 1:
        out[..., 0] = out[..., 1] = (x[..., 0] * scale + bias_even) >> shift
        return out
    left = np.concatenate([x[..., :1], x[..., :-1]], -1)
    right = np.concatenate([x[..., 1:], x[..., -1:]], -1)
    out[..., 0::2] = (x * 3 + left + bias_even) >> shift
    out[..., 1::2] = (x * 3 + right + bias_odd) >> shift
    # the edges: the sample itself, scaled as its neighbours would be
    out[..., 0] = (x[..., 0] * scale + bias_even) >> shift
    out[..., -1] = (x[..., -1] * scale + bias_odd) >> shift
    return out


def upsample(plane: np.ndarray, h: int, v: int) -> np.ndarray:
    """A component plane upsampled h x v as libjpeg does (fancy for 2:1, else copies)."""
    p = plane.astype(np.int64)
    if (h, v) == (1, 1):
        return p
    if (h, v) == (2, 1):
        out = _fancy_h2(p, 1, 2, 4, 2)
        out[..., 0], out[..., -1] = p[..., 0], p[..., -1]
        return out
    if (h, v) == (2, 2):
        above = np.concatenate([p[:1], p[:-1]], 0)
        below = np.concatenate([p[1:], p[-1:]], 0)
        out = np.empty((2 * p.shape[0], 2 * p.shape[1]), np.int64)
        out[0::2] = _fancy_h2(p * 3 + above, 8, 7, 4, 4)
        out[1::2] = _fancy_h2(p * 3 + below, 8, 7, 4, 4)
        return out
    if (h, v) == (1, 2):
        above = np.concatenate([p[:1], p[:-1]], 0)
        below = np.concatenate([p[1:], p[-1:]], 0)
        out = np.empty((2 * p.shape[0], p.shape[1]), np.int64)
        out[0::2] = (p * 3 + above + 1) >> 2
        out[1::2] = (p * 3 + below + 2) >> 2
        return out
    return np.repeat(np.repeat(p, v, 0), h, 1)


# ---------------------------------------------------------------- parsing
class _Frame:
    def __init__(self) -> None:
        self.quant: dict = {}
        self.huff: dict = {}
        self.components: list = []   # [id, h, v, tq]
        self.height = self.width = 0
        self.restart = 0
        self.coefs: dict = {}        # component id -> (rows, cols, 64) int64 in zigzag order
        self.adobe_transform = None


def _segments(data: bytes):
    """(marker, payload, offset after it) for each marker segment; SOS's payload is its
    header, its entropy-coded data follows at the offset."""
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG file (no SOI marker)")
    pos = 2
    n = len(data)
    while pos < n:
        if data[pos] != 0xFF:
            raise ValueError(f"corrupt JPEG: expected a marker at byte {pos}")
        while pos < n and data[pos] == 0xFF:
            pos += 1
        if pos >= n:
            break
        marker = data[pos]
        pos += 1
        if marker == 0xD9:
            return
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue
        if pos + 2 > n:
            raise ValueError("corrupt JPEG: truncated marker segment")
        length = struct.unpack(">H", data[pos:pos + 2])[0]
        if length < 2 or pos + length > n:
            raise ValueError("corrupt JPEG: bad marker segment length")
        payload = data[pos + 2:pos + length]
        pos += length
        if marker == 0xDA:
            end = _scan_end(data, pos)
            yield marker, payload, (pos, end)
            pos = end
            continue
        yield marker, payload, None


def _scan_end(data: bytes, pos: int) -> int:
    """Where the entropy-coded data starting at `pos` ends (the next non-RST marker)."""
    n = len(data)
    while True:
        i = data.find(b"\xff", pos)
        if i < 0 or i + 1 >= n:
            return n
        b = data[i + 1]
        if b == 0x00 or 0xD0 <= b <= 0xD7 or b == 0xFF:
            pos = i + 1 if b == 0xFF else i + 2
            continue
        return i


def _huffman_lookup(counts, symbols) -> list:
    """65536 entries: for the 16 bits at the read position, (code length << 8) | symbol."""
    table = [0] * 65536
    code, k = 0, 0
    for length in range(1, 17):
        for _ in range(counts[length - 1]):
            if k >= len(symbols):
                raise ValueError("corrupt JPEG: bad Huffman table")
            lo = code << (16 - length)
            hi = (code + 1) << (16 - length)
            if hi > 65536:
                raise ValueError("corrupt JPEG: bad Huffman table")
            table[lo:hi] = [(length << 8) | symbols[k]] * (hi - lo)
            code += 1
            k += 1
        code <<= 1
    return table


def _parse_dht(payload: bytes, frame: _Frame) -> None:
    pos = 0
    while pos < len(payload):
        tc_th = payload[pos]
        counts = list(payload[pos + 1:pos + 17])
        total = sum(counts)
        symbols = list(payload[pos + 17:pos + 17 + total])
        if len(counts) < 16 or len(symbols) < total:
            raise ValueError("corrupt JPEG: truncated Huffman table")
        frame.huff[(tc_th >> 4, tc_th & 15)] = _huffman_lookup(counts, symbols)
        pos += 17 + total


def _parse_dqt(payload: bytes, frame: _Frame) -> None:
    pos = 0
    while pos < len(payload):
        pq, tq = payload[pos] >> 4, payload[pos] & 15
        size = 128 if pq else 64
        raw = payload[pos + 1:pos + 1 + size]
        if len(raw) < size:
            raise ValueError("corrupt JPEG: truncated quantization table")
        values = np.frombuffer(raw, ">u2" if pq else np.uint8).astype(np.int64)
        table = np.zeros(64, np.int64)
        table[ZIGZAG] = values
        frame.quant[tq] = table
        pos += 1 + size


def _unstuff(data: bytes) -> list:
    """The entropy-coded data split at restart markers, stuffed zero bytes removed."""
    parts, current, pos = [], bytearray(), 0
    while True:
        i = data.find(b"\xff", pos)
        if i < 0:
            current += data[pos:]
            break
        current += data[pos:i]
        nxt = data[i + 1] if i + 1 < len(data) else 0
        if nxt == 0x00:
            current.append(0xFF)
            pos = i + 2
        elif 0xD0 <= nxt <= 0xD7:
            parts.append(bytes(current))
            current = bytearray()
            pos = i + 2
        else:
            pos = i + 1
    parts.append(bytes(current))
    return parts


def _decode_scan(frame: _Frame, header: bytes, data: bytes) -> None:
    count = header[0]
    scan = []
    for k in range(count):
        cid, tables = header[1 + 2 * k], header[2 + 2 * k]
        comp = next((c for c in frame.components if c[0] == cid), None)
        if comp is None:
            raise ValueError(f"corrupt JPEG: scan names unknown component {cid}")
        dc, ac = frame.huff.get((0, tables >> 4)), frame.huff.get((1, tables & 15))
        if dc is None or ac is None:
            raise ValueError("corrupt JPEG: a scan uses an undefined Huffman table")
        scan.append((comp, dc, ac))
    ss, se = header[1 + 2 * count], header[2 + 2 * count]
    if ss != 0 or se != 63:
        raise ValueError("progressive JPEG (spectral selection) is not supported")
    hmax = max(c[1] for c in frame.components)
    vmax = max(c[2] for c in frame.components)
    if count == 1:  # non-interleaved: the component's own blocks, in raster order
        comp = scan[0][0]
        bw = _ceil(_ceil(frame.width * comp[1], hmax), 8)
        bh = _ceil(_ceil(frame.height * comp[2], vmax), 8)
        units = [[(0, r, c)] for r in range(bh) for c in range(bw)]
    else:
        mcux = -(-frame.width // (8 * hmax))
        mcuy = -(-frame.height // (8 * vmax))
        units = []
        for my in range(mcuy):
            for mx in range(mcux):
                unit = []
                for k, (comp, _, _) in enumerate(scan):
                    for v in range(comp[2]):
                        for h in range(comp[1]):
                            unit.append((k, my * comp[2] + v, mx * comp[1] + h))
                units.append(unit)
    parts = _unstuff(data)
    per_part = frame.restart or len(units)
    pad = b"\x00\x00\x00\x00"
    for p, start in enumerate(range(0, len(units), per_part)):
        if p >= len(parts):
            raise ValueError("corrupt JPEG: premature end of data segment")
        buf = parts[p] + pad
        limit = len(parts[p]) * 8
        pos = 0
        preds = [0] * len(scan)
        for unit in units[start:start + per_part]:
            for k, row, col in unit:
                comp, dc, ac = scan[k]
                block = frame.coefs[comp[0]][row, col] if row < frame.coefs[comp[0]].shape[0] \
                    and col < frame.coefs[comp[0]].shape[1] else np.zeros(64, np.int64)
                pos, preds[k] = _decode_block(buf, pos, dc, ac, preds[k], block)
            if pos > limit + 64:
                raise ValueError("corrupt JPEG: premature end of data segment")


def _decode_block(buf: bytes, pos: int, dc, ac, pred: int, block) -> tuple:
    def bits(n):
        nonlocal pos
        p = pos >> 3
        word = (buf[p] << 24) | (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3]
        v = (word >> (32 - (pos & 7) - n)) & ((1 << n) - 1)
        pos += n
        return v

    def symbol(table):
        nonlocal pos
        p = pos >> 3
        word = (buf[p] << 16) | (buf[p + 1] << 8) | buf[p + 2]
        entry = table[(word >> (8 - (pos & 7))) & 0xFFFF]
        if entry == 0:
            raise ValueError("corrupt JPEG: bad Huffman code")
        pos += entry >> 8
        return entry & 0xFF

    s = symbol(dc)
    if s:
        v = bits(s)
        pred += v - ((1 << s) - 1) if v < (1 << (s - 1)) else v
    block[0] = pred
    k = 1
    while k < 64:
        rs = symbol(ac)
        r, s = rs >> 4, rs & 15
        if s:
            k += r
            if k > 63:
                raise ValueError("corrupt JPEG: too many coefficients in a block")
            v = bits(s)
            block[k] = v - ((1 << s) - 1) if v < (1 << (s - 1)) else v
            k += 1
        elif r == 15:
            k += 16
        else:
            break
    return pos, pred


def _read(data: bytes) -> _Frame:
    frame = _Frame()
    have_frame = False
    for marker, payload, scan in _segments(bytes(data)):
        if marker == 0xC4:
            _parse_dht(payload, frame)
        elif marker == 0xDB:
            _parse_dqt(payload, frame)
        elif marker == 0xDD:
            frame.restart = struct.unpack(">H", payload[:2])[0]
        elif marker in (0xC0, 0xC1):
            precision, height, width, n = struct.unpack(">BHHB", payload[:6])
            if precision != 8:
                raise ValueError(f"{precision}-bit JPEG is not supported (8-bit only)")
            if n not in (1, 3):
                raise ValueError(f"JPEG with {n} components is not supported (1 or 3)")
            if height == 0 or width == 0:
                raise ValueError("JPEG with a zero or undefined (DNL) size is not supported")
            frame.height, frame.width = height, width
            for k in range(n):
                cid, hv, tq = payload[6 + 3 * k:9 + 3 * k]
                if not (1 <= hv >> 4 <= 4 and 1 <= hv & 15 <= 4):
                    raise ValueError("corrupt JPEG: bad sampling factors")
                frame.components.append([cid, hv >> 4, hv & 15, tq])
            hmax = max(c[1] for c in frame.components)
            vmax = max(c[2] for c in frame.components)
            mcux, mcuy = -(-width // (8 * hmax)), -(-height // (8 * vmax))
            for c in frame.components:
                frame.coefs[c[0]] = np.zeros((mcuy * c[2], mcux * c[1], 64), np.int64)
            have_frame = True
        elif marker in (0xC2, 0xC6, 0xCA, 0xCE):
            raise ValueError("progressive JPEG is not supported (baseline and extended "
                             "sequential only)")
        elif marker in (0xC3, 0xC5, 0xC7, 0xCB, 0xCD, 0xCF):
            raise ValueError("lossless or hierarchical JPEG is not supported")
        elif marker in (0xC9, 0xCA, 0xCB):
            raise ValueError("arithmetic-coded JPEG is not supported")
        elif marker == 0xEE and payload[:5] == b"Adobe" and len(payload) >= 12:
            frame.adobe_transform = payload[11]
        elif marker == 0xDA:
            if not have_frame:
                raise ValueError("corrupt JPEG: scan before the frame header")
            start, end = scan
            _decode_scan(frame, payload, bytes(data[start:end]))
    if not have_frame:
        raise ValueError("corrupt JPEG: no frame header")
    return frame


def jpeg_shape(data: bytes) -> list:
    """[height, width, components] of a JPEG (from its frame header)."""
    for marker, payload, _ in _segments(bytes(data)):
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            _, height, width, n = struct.unpack(">BHHB", payload[:6])
            return [height, width, n]
    raise ValueError("corrupt JPEG: no frame header")


def decode_jpeg(data: bytes, channels: int = 0, fast_idct: bool = False,
                fancy: bool = True) -> np.ndarray:
    """uint8 [height, width, channels] (0: the file's 1 or 3) as libjpeg decodes it, with
    its accurate integer IDCT or (`fast_idct`) its fast one; `fancy=False` replicates
    subsampled chroma instead of interpolating it."""
    frame = _read(data)
    hmax = max(c[1] for c in frame.components)
    vmax = max(c[2] for c in frame.components)
    planes = []
    for cid, h, v, tq in frame.components:
        if tq not in frame.quant:
            raise ValueError("corrupt JPEG: a component uses an undefined quantization table")
        coefs = frame.coefs[cid]
        rows, cols = coefs.shape[:2]
        natural = np.zeros_like(coefs)
        natural[..., ZIGZAG] = coefs
        if fast_idct:
            blocks = (natural * fast_multipliers(frame.quant[tq])).reshape(-1, 8, 8)
            pixels = idct_ifast(blocks)
        else:
            pixels = idct_islow((natural * frame.quant[tq]).reshape(-1, 8, 8))
        pixels = pixels.reshape(rows, cols, 8, 8).transpose(0, 2, 1, 3)
        plane = pixels.reshape(rows * 8, cols * 8)
        ch = -(-frame.height * v // vmax)
        cw = -(-frame.width * h // hmax)
        planes.append((plane[:ch, :cw], hmax // h, vmax // v))
    height, width = frame.height, frame.width
    grey_only = len(planes) == 1 or channels == 1
    if grey_only:
        plane, fh, fv = planes[0]
        y = upsample(plane, fh, fv)[:height, :width]
        grey = np.clip(y, 0, 255).astype(np.uint8)[..., None]
        return np.repeat(grey, 3, -1) if channels == 3 else grey
    full = [(upsample(p, fh, fv) if fancy else np.repeat(np.repeat(p, fv, 0), fh, 1))
            [:height, :width] for p, fh, fv in planes]
    if frame.adobe_transform == 0:  # (an Adobe RGB file: no colour transform)
        return np.clip(np.stack(full, -1), 0, 255).astype(np.uint8)
    return ycc_to_rgb(*full)
