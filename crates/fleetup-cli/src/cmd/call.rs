//! `fleetup call`: the JSON contract over JSON Lines.
//!
//! Requests are answered by several threads at once (`--jobs`, the machine's cores by default);
//! a writer puts the answers back in request order, so the output is the same as with one.

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::process::ExitCode;
use std::sync::{mpsc, Arc, Mutex};

use clap::Args;
use fleetup_core::limits::MAX_DOCUMENT_BYTES;
use fleetup_core::{Error, ErrorKind};

#[derive(Args)]
#[command(after_help = "Each input line is a request such as\n  \
    {\"op\":\"semver.satisfies\",\"args\":{\"version\":\"9.1.0\",\"range\":\"^8.13.0 || ^9.0.0\"}}\n\
    and gets exactly one response line, {\"ok\":…} or {\"error\":{\"code\",\"message\",\"path\"}}, in order.\n\
    Blank lines are skipped. Exits 0 once every line is answered (error responses included).\n\
    `fleetup call --list` prints every operation.")]
pub struct CallArgs {
    /// List the operations and exit.
    #[arg(long)]
    list: bool,
    /// Requests answered at once (default: the number of cores, at most 8); answers keep the
    /// request order.
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..=256))]
    jobs: Option<u16>,
}

/// The most workers `--jobs` defaults to.
const DEFAULT_JOBS_MAX: usize = 8;

pub fn run(args: CallArgs) -> Result<ExitCode, Error> {
    if args.list {
        for op in fleetup_core::dispatch::operations() {
            println!("{:32} {}", op.name, op.summary);
        }
        return Ok(ExitCode::SUCCESS);
    }
    // Each worker keeps its own prepared packages, so the default stops at a few: beyond that,
    // memory grows faster than a JSON Lines stream gains.
    let jobs = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get().min(DEFAULT_JOBS_MAX)),
        usize::from,
    );
    if jobs <= 1 {
        answer_in_turn(BufReader::with_capacity(1 << 16, io::stdin().lock()))?;
    } else {
        // A larger buffer lets batches grow past a few lines when the input is a file.
        answer_in_parallel(BufReader::with_capacity(1 << 20, io::stdin().lock()), jobs)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn read_err(e: io::Error) -> Error {
    Error::new(ErrorKind::Io, format!("cannot read standard input: {e}"))
}

fn write_err(e: io::Error) -> Error {
    Error::new(ErrorKind::Io, format!("cannot write standard output: {e}"))
}

/// Reads the next request into `line`, skipping blank lines: `None` at the end of the input,
/// `Some(false)` for a line cut at the size limit.
fn next_request<R: BufRead>(input: &mut R, line: &mut Vec<u8>) -> Result<Option<bool>, Error> {
    loop {
        line.clear();
        let Some(whole) = read_line_bounded(input, line).map_err(read_err)? else {
            return Ok(None);
        };
        if whole && trim_line_end(line).iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        return Ok(Some(whole));
    }
}

/// Appends the response line (with its `\n`) to one request line.
fn answer(line: &[u8], whole: bool, response: &mut String) {
    if !whole {
        let err = Error::new(
            ErrorKind::LimitExceeded,
            format!(
                "request line is over {MAX_DOCUMENT_BYTES} bytes; the limit is {MAX_DOCUMENT_BYTES} bytes"
            ),
        );
        response.push_str("{\"error\":");
        response.push_str(&err.to_json().to_string());
        response.push('}');
    } else {
        let text = trim_line_end(line);
        match std::str::from_utf8(text) {
            Ok(text) => fleetup_core::call_into(text, response),
            Err(_) => response.push_str(&String::from_utf8_lossy(&fleetup_core::call_bytes(text))),
        }
    }
    response.push('\n');
}

/// One request after another on this thread.
fn answer_in_turn<R: Read>(mut input: BufReader<R>) -> Result<(), Error> {
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut line = Vec::with_capacity(4096);
    let mut response = String::with_capacity(4096);
    while let Some(whole) = next_request(&mut input, &mut line)? {
        response.clear();
        answer(&line, whole, &mut response);
        out.write_all(response.as_bytes()).map_err(write_err)?;
        // Flush only when no further input is already waiting: interactive use sees each answer at
        // once, while large files stream at full speed.
        if input.buffer().is_empty() {
            out.flush().map_err(write_err)?;
        }
    }
    out.flush().map_err(write_err)
}

/// Batches per worker that may be between being read and being written.
const IN_FLIGHT_PER_JOB: usize = 4;

/// A batch closes at this many lines or bytes (or sooner, see `answer_in_parallel`).
const BATCH_LINES: usize = 16;
const BATCH_BYTES: usize = 1 << 20;

/// This thread reads, `jobs` workers answer, a writer thread writes the answers in request order.
///
/// Requests travel in batches: the lines already read into memory go together (at most
/// `BATCH_LINES` or about `BATCH_BYTES`), so workers and the writer are woken once per batch
/// rather than once per line; a batch closes as soon as reading on could wait for input, so an
/// interactive request is answered at once. At most `IN_FLIGHT_PER_JOB × jobs` batches are
/// between being read and being written (the reader takes a token per batch, the writer gives
/// it back once the batch's answers are out), so answers queued behind a slow request cannot
/// pile up without bound. If writing fails, the writer stops and drops the tokens, which stops
/// the reader; the workers stop when their channels close.
fn answer_in_parallel<R: Read>(mut input: BufReader<R>, jobs: usize) -> Result<(), Error> {
    type Batch = Vec<(Vec<u8>, bool)>;
    let window = IN_FLIGHT_PER_JOB * jobs;
    let (token_tx, token_rx) = mpsc::sync_channel::<()>(window);
    for _ in 0..window {
        token_tx
            .send(())
            .map_err(|_| Error::new(ErrorKind::Internal, "token channel"))?;
    }
    let (request_tx, request_rx) = mpsc::sync_channel::<(u64, Batch)>(jobs * 2);
    let request_rx = Arc::new(Mutex::new(request_rx));
    let (answer_tx, answer_rx) = mpsc::sync_channel::<(u64, String)>(jobs * 2);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let request_rx = Arc::clone(&request_rx);
            let answer_tx = answer_tx.clone();
            scope.spawn(move || loop {
                let request = match request_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok((seq, batch)) = request else {
                    return;
                };
                let size: usize = batch.iter().map(|(line, _)| line.len()).sum();
                let mut response = String::with_capacity(size * 2 + 64);
                for (line, whole) in &batch {
                    answer(line, *whole, &mut response);
                }
                if answer_tx.send((seq, response)).is_err() {
                    return;
                }
            });
        }
        // Only the workers hold these now: when they stop, the channels close.
        drop(request_rx);
        drop(answer_tx);
        let writer = scope.spawn(move || write_in_order(&answer_rx, &token_tx));
        let mut read = Ok(());
        let mut at_end = false;
        let mut seq = 0u64;
        let mut line_capacity = 4096;
        while !at_end && read.is_ok() && token_rx.recv().is_ok() {
            let mut batch: Batch = Vec::new();
            let mut bytes = 0;
            loop {
                let mut line = Vec::with_capacity(line_capacity);
                match next_request(&mut input, &mut line) {
                    Ok(Some(whole)) => {
                        line_capacity = line.len().next_power_of_two().clamp(4096, 1 << 20);
                        bytes += line.len();
                        batch.push((line, whole));
                    }
                    Ok(None) => at_end = true,
                    Err(e) => read = Err(e),
                }
                if at_end
                    || read.is_err()
                    || batch.len() >= BATCH_LINES
                    || bytes >= BATCH_BYTES
                    || input.buffer().is_empty()
                {
                    break;
                }
            }
            if !batch.is_empty() {
                if request_tx.send((seq, batch)).is_err() {
                    break;
                }
                seq += 1;
            }
        }
        drop(request_tx);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(Error::new(ErrorKind::Internal, "the output writer stopped")));
        // A write failure explains a read loop cut short, so it is reported first.
        written.and(read)
    })
}

/// Writes answers in request order as they arrive, flushing whenever none is waiting (so
/// interactive use sees each answer at once).
fn write_in_order(
    answers: &mpsc::Receiver<(u64, String)>,
    tokens: &mpsc::SyncSender<()>,
) -> Result<(), Error> {
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut waiting: BTreeMap<u64, String> = BTreeMap::new();
    let mut next = 0u64;
    loop {
        let (seq, response) = match answers.try_recv() {
            Ok(a) => a,
            Err(mpsc::TryRecvError::Empty) => {
                out.flush().map_err(write_err)?;
                match answers.recv() {
                    Ok(a) => a,
                    Err(_) => break,
                }
            }
            Err(mpsc::TryRecvError::Disconnected) => break,
        };
        waiting.insert(seq, response);
        while let Some(response) = waiting.remove(&next) {
            out.write_all(response.as_bytes()).map_err(write_err)?;
            next += 1;
            // The reader may have stopped already; then nobody needs the token.
            let _ = tokens.send(());
        }
    }
    out.flush().map_err(write_err)
}

/// Reads one line into `line`, holding at most `MAX_DOCUMENT_BYTES` + 1 bytes of it: a longer
/// request could only be refused, so the rest of it is skipped unread into memory (otherwise one
/// endless line would grow the buffer without bound). Returns `None` at the end of the input and
/// `Some(false)` for a line that was cut.
fn read_line_bounded<R: BufRead>(input: &mut R, line: &mut Vec<u8>) -> io::Result<Option<bool>> {
    let cap = MAX_DOCUMENT_BYTES as u64 + 2; // the request, a `\r` and the `\n`
    if <&mut R as Read>::take(&mut *input, cap).read_until(b'\n', line)? == 0 {
        return Ok(None);
    }
    if line.last() == Some(&b'\n') || (line.len() as u64) < cap {
        return Ok(Some(true));
    }
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        match buf.iter().position(|b| *b == b'\n') {
            Some(i) => {
                input.consume(i + 1);
                break;
            }
            None => {
                let n = buf.len();
                input.consume(n);
            }
        }
    }
    Ok(Some(false))
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && (line[end - 1] == b'\n' || line[end - 1] == b'\r') {
        end -= 1;
    }
    &line[..end]
}
