//! `fleetup call`: the JSON contract over JSON Lines.

use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::process::ExitCode;

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
}

pub fn run(args: CallArgs) -> Result<ExitCode, Error> {
    if args.list {
        for op in fleetup_core::dispatch::operations() {
            println!("{:32} {}", op.name, op.summary);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut input = BufReader::with_capacity(1 << 16, io::stdin().lock());
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut line = Vec::with_capacity(4096);
    let mut response = String::with_capacity(4096);
    let io_err =
        |e: io::Error| Error::new(ErrorKind::Io, format!("cannot read standard input: {e}"));
    loop {
        line.clear();
        let Some(whole) = read_line_bounded(&mut input, &mut line).map_err(io_err)? else {
            break;
        };
        let text = trim_line_end(&line);
        if whole && text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        response.clear();
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
            match std::str::from_utf8(text) {
                Ok(text) => fleetup_core::call_into(text, &mut response),
                Err(_) => {
                    response.push_str(&String::from_utf8_lossy(&fleetup_core::call_bytes(text)))
                }
            }
        }
        response.push('\n');
        let write_err =
            |e: io::Error| Error::new(ErrorKind::Io, format!("cannot write standard output: {e}"));
        out.write_all(response.as_bytes()).map_err(write_err)?;
        // Flush only when no further input is already waiting: interactive use sees each answer at
        // once, while large files stream at full speed.
        if input.buffer().is_empty() {
            out.flush().map_err(write_err)?;
        }
    }
    out.flush()
        .map_err(|e| Error::new(ErrorKind::Io, format!("cannot write standard output: {e}")))?;
    Ok(ExitCode::SUCCESS)
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
