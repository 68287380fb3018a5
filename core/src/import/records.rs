//! Splits CSV text into records, counting physical lines for row errors.
//!
//! Most records of a CRM export are one line with no quote in it: such a record is split at its
//! commas where it lies in the read buffer, and nothing is copied. A record with a quote, or
//! with a `\r` anywhere but just before its `\n`, is handed to csv-core (the parser of the csv
//! crate), which unescapes it into a side buffer; that covers quoted cells, doubled quotes,
//! line breaks inside quotes and old-Mac `\r` line ends. Both give what the csv crate's reader
//! gives (a proptest in this module compares them on adversarial files).
//!
//! Line numbers: a line ends at a `\n`, a `\r\n`, or a `\r` alone (as CSV readers and editors
//! take old Mac files). Line breaks between records (blank lines, the `\n` of a CRLF) come
//! before the next record, and a record's line is that of its first byte. Offsets are counted
//! from where the reader started. Memory stays bounded: the buffer holds a few hundred
//! kilobytes, or one record when a record is longer.

use crate::error::Result;
use csv_core::ReadRecordResult;
use std::io::Read;
use std::ops::Range;

/// Bytes read from the input at a time (the buffer grows only for a longer record).
const CHUNK: usize = 256 * 1024;

/// One record: its cells, borrowed from the reader until the next record is read.
#[derive(Clone, Copy)]
pub(crate) struct Record<'r> {
    /// The record's bytes: the line as it lies in the file (cells and the commas between them),
    /// or csv-core's unescaped cells end to end.
    data: &'r [u8],
    /// Where each cell lies in `data`.
    cells: &'r [(u32, u32)],
    /// Whether `data` is known to be ASCII (when not, it may still be).
    ascii: bool,
}

impl<'r> Record<'r> {
    /// How many cells the record has.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// The bytes that hold every cell (valid UTF-8 exactly when every cell is, as the bytes
    /// between cells are commas).
    #[cfg(test)]
    pub fn as_slice(&self) -> &'r [u8] {
        self.data
    }

    /// The bytes that hold every cell ([`Record::as_slice`]) as text, when valid UTF-8.
    pub fn text(&self) -> Option<&'r str> {
        if self.ascii {
            // SAFETY: ASCII bytes are valid UTF-8.
            Some(unsafe { std::str::from_utf8_unchecked(self.data) })
        } else {
            std::str::from_utf8(self.data).ok()
        }
    }

    /// Cell `i` as text when the record is known to be ASCII, so no UTF-8 check is needed;
    /// `None` when it is not known to be ASCII or has no cell `i`.
    #[inline]
    pub fn ascii_cell(&self, i: usize) -> Option<&'r str> {
        if !self.ascii {
            return None;
        }
        let &(start, end) = self.cells.get(i)?;
        let bytes = self.data.get(start as usize..end as usize)?;
        // SAFETY: ASCII bytes are valid UTF-8.
        Some(unsafe { std::str::from_utf8_unchecked(bytes) })
    }

    /// Where cell `i` lies in [`Record::as_slice`].
    pub fn range(&self, i: usize) -> Option<Range<usize>> {
        self.cells
            .get(i)
            .map(|&(start, end)| start as usize..end as usize)
    }

    /// Cell `i`'s bytes.
    pub fn get(&self, i: usize) -> Option<&'r [u8]> {
        self.range(i).map(|r| &self.data[r])
    }

    /// Every cell's bytes, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'r [u8]> + '_ {
        self.cells
            .iter()
            .map(|&(start, end)| &self.data[start as usize..end as usize])
    }
}

/// Where a record was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Found {
    /// The 1-based line of the record's first byte.
    pub line: u64,
    /// The offset of that byte.
    pub start: u64,
}

/// Reads records from a byte stream.
pub(crate) struct RecordReader<R> {
    input: R,
    buf: Vec<u8>,
    /// Next unread byte of `buf`.
    pos: usize,
    /// End of the bytes read into `buf`.
    end: usize,
    /// Whether `input` is exhausted.
    eof: bool,
    /// Offset of `buf[0]` from where the reader started.
    base: u64,
    /// Line breaks consumed so far.
    newlines: u64,
    /// Line breaks at offsets below `limit`.
    newlines_below_limit: u64,
    limit: u64,
    /// The offset of a `\r` that ended the bytes csv-core consumed, while whether it ends a
    /// line waits for the next byte.
    open_cr: Option<u64>,
    core: csv_core::Reader,
    /// The last record's cells (both paths) and, for a record csv-core read, its bytes.
    cells: Vec<(u32, u32)>,
    unescaped: Vec<u8>,
    unescaped_len: usize,
    ends: Vec<usize>,
    /// Where the last record's bytes lie: in `buf` (`Some(range)`) or in `unescaped`.
    in_buf: Option<Range<usize>>,
    /// Whether the last record is known to be ASCII.
    ascii: bool,
}

impl<R: Read> RecordReader<R> {
    /// A reader of `input`, counting the line breaks below `limit` apart (for a part of a file
    /// read in parallel) and stopping before the first record that starts at or after it.
    pub fn new(input: R, limit: Option<u64>) -> Self {
        RecordReader {
            input,
            buf: Vec::new(),
            pos: 0,
            end: 0,
            eof: false,
            base: 0,
            newlines: 0,
            newlines_below_limit: 0,
            limit: limit.unwrap_or(u64::MAX),
            open_cr: None,
            core: csv_core::ReaderBuilder::new().build(),
            cells: Vec::new(),
            unescaped: Vec::new(),
            unescaped_len: 0,
            ends: Vec::new(),
            in_buf: None,
            ascii: false,
        }
    }

    /// Bytes consumed so far (through the last record read).
    pub fn consumed(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Line breaks among the bytes consumed so far (a `\r` that ended them counts when the byte
    /// after it is not a `\n`, which this looks at).
    pub fn newlines(&mut self) -> Result<u64> {
        if self.open_cr.is_some() {
            if self.pos == self.end {
                self.fill()?;
            }
            let next = self.buf[..self.end].get(self.pos).copied();
            self.settle_open_cr(next);
        }
        Ok(self.newlines)
    }

    /// Line breaks at offsets below the limit, among those consumed.
    pub fn newlines_below_limit(&self) -> u64 {
        self.newlines_below_limit
    }

    /// The record read last.
    pub fn record(&self) -> Record<'_> {
        let data = match &self.in_buf {
            Some(range) => &self.buf[range.clone()],
            None => &self.unescaped[..self.unescaped_len],
        };
        Record {
            data,
            cells: &self.cells,
            ascii: self.ascii,
        }
    }

    /// Reads the next record; `None` at the end of input. A record that starts at or after
    /// the limit is reported (with `Found::start` at or after the limit) but not read: the
    /// caller stops there.
    pub fn read_record(&mut self) -> Result<Option<Found>> {
        // Line breaks before the record.
        loop {
            if self.pos == self.end && !self.fill()? {
                self.settle_open_cr(None);
                return Ok(None);
            }
            let b = self.buf[self.pos];
            if b != b'\n' && b != b'\r' {
                self.settle_open_cr(Some(b));
                break;
            }
            self.settle_open_cr(Some(b));
            let at = self.consumed();
            if b == b'\n' {
                self.count_break(at);
                self.pos += 1;
            } else {
                self.pos += 1;
                self.open_cr = Some(at);
            }
        }
        let found = Found {
            line: self.newlines + 1,
            start: self.consumed(),
        };
        if found.start >= self.limit {
            return Ok(Some(found));
        }
        if !self.read_plain_line()? {
            self.read_with_core()?;
        }
        Ok(Some(found))
    }

    /// Reads the record at `pos` when it is one line with no quote and no `\r` but the one
    /// before its `\n`; `false` (nothing consumed) otherwise.
    fn read_plain_line(&mut self) -> Result<bool> {
        let mut list = std::mem::take(&mut self.cells);
        list.clear();
        let mut cells = Cells {
            list: &mut list,
            start: 0,
            high: false,
        };
        let found = self.plain_line_end(&mut cells);
        let (last_start, high) = (cells.start, cells.high);
        self.cells = list;
        let Some((line_end, next)) = found? else {
            return Ok(false);
        };
        self.cells.push((last_start, (line_end - self.pos) as u32));
        self.in_buf = Some(self.pos..line_end);
        self.ascii = !high;
        if next > line_end {
            let at = self.base + (next - 1) as u64;
            self.count_break(at);
        }
        self.pos = next;
        Ok(true)
    }

    /// Where the plain line at `pos` ends, and where the next record may start (after its
    /// `\n` or `\r\n`), its commas noted in `cells`; `None` when the record is not plain.
    fn plain_line_end(&mut self, cells: &mut Cells<'_>) -> Result<Option<(usize, usize)>> {
        let mut scanned = 0;
        loop {
            let rest = &self.buf[self.pos + scanned..self.end];
            match split_at_commas(rest, scanned as u32, cells) {
                Some(i) => {
                    let at = self.pos + scanned + i;
                    match self.buf[at] {
                        b'\n' => return Ok(Some((at, at + 1))),
                        b'\r' => {
                            // `\r\n` ends the line; a `\r` alone needs csv-core.
                            if at + 1 == self.end && !self.eof {
                                let from = at - self.pos;
                                if !self.fill()? {
                                    // End of input: the `\r` ends the last line.
                                    return Ok(Some((self.pos + from, self.pos + from + 1)));
                                }
                                scanned = from;
                                continue;
                            }
                            if at + 1 == self.end {
                                return Ok(Some((at, at + 1)));
                            }
                            if self.buf[at + 1] == b'\n' {
                                return Ok(Some((at, at + 2)));
                            }
                            return Ok(None);
                        }
                        _ => return Ok(None),
                    }
                }
                None => {
                    scanned = self.end - self.pos;
                    if !self.fill()? {
                        return Ok(Some((self.end, self.end)));
                    }
                }
            }
        }
    }

    /// Reads the record at `pos` with csv-core.
    fn read_with_core(&mut self) -> Result<()> {
        if self.unescaped.is_empty() {
            self.unescaped.resize(4096, 0);
            self.ends.resize(64, 0);
        }
        let (mut written, mut cells) = (0, 0);
        loop {
            let input = &self.buf[self.pos..self.end];
            let (result, read, out, ended) = self.core.read_record(
                input,
                &mut self.unescaped[written..],
                &mut self.ends[cells..],
            );
            self.note_breaks(self.pos, self.pos + read);
            self.pos += read;
            written += out;
            cells += ended;
            match result {
                ReadRecordResult::InputEmpty => {
                    // At the end of input csv-core is handed no input, and finishes the record.
                    self.fill()?;
                }
                ReadRecordResult::OutputFull => {
                    let n = self.unescaped.len() * 2;
                    self.unescaped.resize(n, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let n = self.ends.len() * 2;
                    self.ends.resize(n, 0);
                }
                ReadRecordResult::Record | ReadRecordResult::End => break,
            }
        }
        self.cells.clear();
        let mut start = 0;
        for &end in &self.ends[..cells] {
            self.cells.push((start as u32, end as u32));
            start = end;
        }
        self.unescaped_len = written;
        self.in_buf = None;
        self.ascii = false;
        Ok(())
    }

    /// Reads more input into the buffer, keeping the bytes from `pos` on (they move to the
    /// front); `false` at the end of input.
    fn fill(&mut self) -> Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.base += self.pos as u64;
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.buf.len() - self.end < CHUNK / 4 {
            let n = self.buf.len() + CHUNK;
            self.buf.resize(n, 0);
        }
        loop {
            match self.input.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(super::io_error(e)),
            }
        }
    }

    fn count_break(&mut self, at: u64) {
        self.newlines += 1;
        if at < self.limit {
            self.newlines_below_limit += 1;
        }
    }

    /// Settles a pending `\r` now that the byte after it is known (`None`: end of input).
    fn settle_open_cr(&mut self, next: Option<u8>) {
        if let Some(at) = self.open_cr.take() {
            if next != Some(b'\n') {
                self.count_break(at);
            }
        }
    }

    /// Counts the line breaks among `buf[from..to]`, which csv-core just consumed.
    fn note_breaks(&mut self, from: usize, to: usize) {
        if from == to {
            return;
        }
        self.settle_open_cr(Some(self.buf[from]));
        let bytes = &self.buf[from..to];
        let (mut all, mut below) = (0, 0);
        let mut open_cr = None;
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            let offset = self.base + (from + i) as u64;
            let ends = match (bytes[i], bytes.get(i + 1)) {
                (b'\n', _) => true,
                (_, Some(&next)) => next != b'\n',
                (_, None) => {
                    open_cr = Some(offset);
                    false
                }
            };
            if ends {
                all += 1;
                below += u64::from(offset < self.limit);
            }
        }
        self.newlines += all;
        self.newlines_below_limit += below;
        self.open_cr = open_cr;
    }
}

/// The cells of a line found so far, while its bytes are scanned.
struct Cells<'c> {
    list: &'c mut Vec<(u32, u32)>,
    /// Where the current cell starts.
    start: u32,
    /// Whether a byte of 0x80 or above was among those scanned (which may run past the line's
    /// end): when not, the line is ASCII.
    high: bool,
}

impl Cells<'_> {
    fn comma(&mut self, at: u32) {
        self.list.push((self.start, at));
        self.start = at + 1;
    }

    /// The commas of a block of up to 64 bytes at `base` (a bit per byte in `commas` and in
    /// `stops`): those before the first stop are noted, and that stop's index returned.
    #[inline(always)]
    fn block(&mut self, base: u32, commas: u64, stops: u64) -> Option<usize> {
        if stops == 0 {
            self.commas(base, commas);
            return None;
        }
        let stop = stops.trailing_zeros();
        self.commas(base, commas & ((1u64 << stop) - 1));
        Some(stop as usize)
    }

    /// A comma at `base + k` for each bit `k` set in `mask`.
    #[inline(always)]
    fn commas(&mut self, base: u32, mut mask: u64) {
        if mask == 0 {
            return;
        }
        // Room for one cell per bit (a count of the bits costs more than the check).
        self.list.reserve(64);
        let len = self.list.len();
        let mut start = self.start;
        // SAFETY: `reserve` made room for 64 cells past `len`, and at most 64 are written.
        unsafe {
            let first = self.list.as_mut_ptr().add(len);
            let mut out = first;
            while mask != 0 {
                let at = base + mask.trailing_zeros();
                out.write((start, at));
                out = out.add(1);
                start = at + 1;
                mask &= mask - 1;
            }
            self.list.set_len(len + out.offset_from(first) as usize);
        }
        self.start = start;
    }
}

/// Finds the first `\n`, `\r` or `"` in `bytes` and returns its index, noting each comma
/// before it as the end of a cell. Positions are counted from `offset` before `bytes[0]` (the
/// line's start). `None` when there is no stop: every comma of `bytes` is noted.
fn split_at_commas(bytes: &[u8], offset: u32, cells: &mut Cells<'_>) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2.
            unsafe { split_at_commas_avx2(bytes, offset, cells) }
        } else {
            split_at_commas_sse2(bytes, offset, cells)
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        split_at_commas_bytewise(bytes, offset, cells)
    }
}

/// [`split_at_commas`] a byte at a time (other architectures, and the tests' reference).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn split_at_commas_bytewise(bytes: &[u8], offset: u32, cells: &mut Cells<'_>) -> Option<usize> {
    for (i, &b) in bytes.iter().enumerate() {
        cells.high |= b >= 0x80;
        match b {
            b',' => cells.comma(offset + i as u32),
            b'\n' | b'\r' | b'"' => return Some(i),
            _ => {}
        }
    }
    None
}

/// [`split_at_commas`] sixty-four bytes at a time in two AVX2 blocks (most x86_64 processors
/// since 2013 have AVX2; the caller checks), the rest as [`split_at_commas_sse2`] scans it.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn split_at_commas_avx2(bytes: &[u8], offset: u32, cells: &mut Cells<'_>) -> Option<usize> {
    use std::arch::x86_64::{
        __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256,
        _mm256_set1_epi8, _mm256_setzero_si256,
    };
    let (comma, newline, cr, quote) = (
        _mm256_set1_epi8(b',' as i8),
        _mm256_set1_epi8(b'\n' as i8),
        _mm256_set1_epi8(b'\r' as i8),
        _mm256_set1_epi8(b'"' as i8),
    );
    // The commas and the stops (`\n`, `\r`, `"`) of a block, one bit per byte.
    let masks = |block: __m256i| {
        let stops = _mm256_movemask_epi8(_mm256_or_si256(
            _mm256_or_si256(
                _mm256_cmpeq_epi8(block, newline),
                _mm256_cmpeq_epi8(block, cr),
            ),
            _mm256_cmpeq_epi8(block, quote),
        )) as u32;
        let commas = _mm256_movemask_epi8(_mm256_cmpeq_epi8(block, comma)) as u32;
        (u64::from(commas), u64::from(stops))
    };
    let mut i = 0;
    let mut seen = _mm256_setzero_si256();
    while i + 64 <= bytes.len() {
        // SAFETY: both loads read 32 bytes inside `bytes`.
        let (low, high) = unsafe {
            let at = bytes.as_ptr().add(i);
            (
                _mm256_loadu_si256(at as *const __m256i),
                _mm256_loadu_si256(at.add(32) as *const __m256i),
            )
        };
        seen = _mm256_or_si256(seen, _mm256_or_si256(low, high));
        let ((c0, s0), (c1, s1)) = (masks(low), masks(high));
        if let Some(stop) = cells.block(offset + i as u32, c0 | c1 << 32, s0 | s1 << 32) {
            cells.high |= _mm256_movemask_epi8(seen) != 0;
            return Some(i + stop);
        }
        i += 64;
    }
    cells.high |= _mm256_movemask_epi8(seen) != 0;
    split_at_commas_sse2(&bytes[i..], offset + i as u32, cells).map(|j| i + j)
}

/// [`split_at_commas`] sixty-four bytes at a time, then sixteen (SSE2 is part of every x86_64
/// processor).
#[cfg(target_arch = "x86_64")]
fn split_at_commas_sse2(bytes: &[u8], offset: u32, cells: &mut Cells<'_>) -> Option<usize> {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        _mm_setzero_si128,
    };
    /// The commas and the stops (`\n`, `\r`, `"`) of a block, one bit per byte.
    #[inline(always)]
    unsafe fn masks(block: __m128i) -> (u32, u32) {
        let (comma, newline, cr, quote) = (
            _mm_set1_epi8(b',' as i8),
            _mm_set1_epi8(b'\n' as i8),
            _mm_set1_epi8(b'\r' as i8),
            _mm_set1_epi8(b'"' as i8),
        );
        let stops = _mm_movemask_epi8(_mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(block, newline), _mm_cmpeq_epi8(block, cr)),
            _mm_cmpeq_epi8(block, quote),
        )) as u32;
        (
            _mm_movemask_epi8(_mm_cmpeq_epi8(block, comma)) as u32,
            stops,
        )
    }
    let mut i = 0;
    // SAFETY: SSE2 is always present on x86_64; each load reads 16 bytes inside `bytes`.
    unsafe {
        let mut seen = _mm_setzero_si128();
        while i + 64 <= bytes.len() {
            let at = bytes.as_ptr().add(i);
            let blocks = [0, 16, 32, 48].map(|k| _mm_loadu_si128(at.add(k) as *const __m128i));
            seen = _mm_or_si128(
                seen,
                _mm_or_si128(
                    _mm_or_si128(blocks[0], blocks[1]),
                    _mm_or_si128(blocks[2], blocks[3]),
                ),
            );
            let (mut commas, mut stops) = (0u64, 0u64);
            for (k, block) in blocks.into_iter().enumerate() {
                let (c, s) = masks(block);
                commas |= u64::from(c) << (16 * k);
                stops |= u64::from(s) << (16 * k);
            }
            if let Some(stop) = cells.block(offset + i as u32, commas, stops) {
                cells.high |= _mm_movemask_epi8(seen) != 0;
                return Some(i + stop);
            }
            i += 64;
        }
        while i + 16 <= bytes.len() {
            let block = _mm_loadu_si128(bytes.as_ptr().add(i) as *const __m128i);
            seen = _mm_or_si128(seen, block);
            let (commas, stops) = masks(block);
            if let Some(stop) = cells.block(offset + i as u32, commas.into(), stops.into()) {
                cells.high |= _mm_movemask_epi8(seen) != 0;
                return Some(i + stop);
            }
            i += 16;
        }
        cells.high |= _mm_movemask_epi8(seen) != 0;
    }
    split_at_commas_bytewise(&bytes[i..], offset + i as u32, cells).map(|j| i + j)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Each record's line, first byte and cells.
    type Records = Vec<(Found, Vec<Vec<u8>>)>;

    /// What the csv crate's reader finds in `data`: each record's line, first byte and cells.
    fn reference(data: &[u8]) -> Records {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(data);
        let mut record = csv::ByteRecord::new();
        let mut out = Vec::new();
        loop {
            let from = reader.position().byte() as usize;
            if !reader.read_byte_record(&mut record).unwrap() {
                break;
            }
            let start = from
                + data[from..]
                    .iter()
                    .take_while(|&&b| b == b'\r' || b == b'\n')
                    .count();
            let found = Found {
                line: breaks(data, 0..start) + 1,
                start: start as u64,
            };
            out.push((found, record.iter().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    /// Line breaks at offsets in `range`: `\n`, and `\r` not followed by `\n`.
    fn breaks(data: &[u8], range: Range<usize>) -> u64 {
        range
            .filter(|&i| match data[i] {
                b'\n' => true,
                b'\r' => data.get(i + 1) != Some(&b'\n'),
                _ => false,
            })
            .count() as u64
    }

    /// Hands out the input a few bytes at a time, so records straddle every refill.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn read_all(data: &[u8], step: usize, limit: Option<u64>) -> (Records, Option<Found>, u64) {
        let mut reader = RecordReader::new(Trickle { data, step }, limit);
        let mut out = Vec::new();
        while let Some(found) = reader.read_record().unwrap() {
            if limit.is_some_and(|l| found.start >= l) {
                return (out, Some(found), reader.newlines_below_limit());
            }
            let record = reader.record();
            assert_eq!(record.text(), std::str::from_utf8(record.as_slice()).ok());
            out.push((found, record.iter().map(<[u8]>::to_vec).collect()));
        }
        (out, None, reader.newlines_below_limit())
    }

    #[test]
    fn plain_crlf_quoted_and_old_mac_lines() {
        let data = b"a,b\r\n\r\nc,\"d\r\ne\"\rf,,g\n\"h\"\"i\",j";
        let (records, stop, _) = read_all(data, CHUNK, None);
        assert_eq!(records, reference(data));
        assert_eq!(stop, None);
        let lines: Vec<u64> = records.iter().map(|(f, _)| f.line).collect();
        assert_eq!(lines, [1, 3, 5, 6]);
        assert_eq!(records[1].1, [b"c".to_vec(), b"d\r\ne".to_vec()]);
        assert_eq!(records[3].1, [b"h\"i".to_vec(), b"j".to_vec()]);
    }

    #[test]
    fn a_record_longer_than_the_buffer() {
        let long = "x".repeat(CHUNK * 2 + 17);
        let data = format!("a,{long}\n\"{long}\",b\n");
        let (records, _, _) = read_all(data.as_bytes(), 100_000, None);
        assert_eq!(records, reference(data.as_bytes()));
    }

    /// Every block scan (the one `split_at_commas` picks, and SSE2 on x86_64) finds what the
    /// bytewise scan finds, and claims ASCII only for bytes that are, up to the stop.
    fn check_scans(bytes: &[u8], offset: u32) -> Result<(), TestCaseError> {
        let scan = |f: fn(&[u8], u32, &mut Cells<'_>) -> Option<usize>| {
            let mut list = Vec::new();
            let mut cells = Cells {
                list: &mut list,
                start: offset,
                high: false,
            };
            let stop = f(bytes, offset, &mut cells);
            let (start, high) = (cells.start, cells.high);
            (stop, list, start, high)
        };
        let (stop, list, start, _) = scan(split_at_commas_bytewise);
        let mut fast = vec![scan(split_at_commas)];
        #[cfg(target_arch = "x86_64")]
        fast.push(scan(split_at_commas_sse2));
        for (f, fast_list, fast_start, high) in fast {
            prop_assert_eq!((f, fast_list, fast_start), (stop, list.clone(), start));
            let upto = f.map_or(bytes.len(), |i| i + 1);
            prop_assert!(high || bytes[..upto].is_ascii());
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// The block scan finds what the bytewise one finds.
        #[test]
        fn block_scan_is_the_bytewise_scan(
            bytes in prop::collection::vec(
                prop::sample::select(vec![b'a', b'a', b'a', b',', b',', b'"', b'\r', b'\n', 0x8c, 0xac]),
                0..240,
            ),
            offset in 0u32..5,
        ) {
            check_scans(&bytes, offset)?;
        }

        /// The same on long runs without a stop, then perhaps one stop.
        #[test]
        fn long_block_scans_are_the_bytewise_scan(
            mut bytes in prop::collection::vec(
                prop::sample::select(vec![b'a', b'a', b',', 0x8c]),
                0..260,
            ),
            stop in prop::option::of((0usize..260, prop::sample::select(vec![b'"', b'\r', b'\n']))),
            offset in 0u32..5,
        ) {
            if let Some((at, byte)) = stop {
                if at < bytes.len() {
                    bytes[at] = byte;
                }
            }
            check_scans(&bytes, offset)?;
        }

        /// The split records, their lines and first bytes, the stop at a limit and the line
        /// breaks below it are the csv crate's (with lines counted as the module says).
        #[test]
        fn records_are_the_csv_crates(
            data in prop::collection::vec(
                prop::sample::select(vec![b'a', b'b', b',', b',', b'"', b'\r', b'\n', b'\n', b' ', 0xc3, 0xa9]),
                0..160,
            ),
            step in 1usize..9,
            limit in prop::option::of(0u64..170),
        ) {
            let expected = reference(&data);
            let (records, stop, below) = read_all(&data, step, limit);
            let cut = limit.map_or(expected.len(), |l| expected.iter().take_while(|(f, _)| f.start < l).count());
            prop_assert_eq!(&records[..], &expected[..cut]);
            prop_assert_eq!(stop, expected.get(cut).map(|(f, _)| *f).filter(|_| limit.is_some()));
            if let Some(l) = limit {
                // Every break below the limit is consumed once the reader stops there.
                let end = stop.map_or(data.len(), |f| f.start as usize);
                prop_assert_eq!(below, breaks(&data, 0..end.min(l as usize)));
            }
        }
    }
}
