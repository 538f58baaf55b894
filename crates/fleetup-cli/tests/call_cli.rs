//! `fleetup call` answers every request line once, in request order, whatever the number of
//! worker threads.

use std::io::Write;
use std::process::{Command, Stdio};

fn call(jobs: &str, input: &[u8]) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fleetup"))
        .args(["call", "--jobs", jobs])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start fleetup call");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    // Written from another thread so that a full output pipe cannot block the input.
    let feeder = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().expect("fleetup call output");
    feeder.join().expect("feeder").expect("write stdin");
    assert!(out.status.success(), "fleetup call --jobs {jobs} failed");
    String::from_utf8(out.stdout).expect("utf-8 output")
}

#[test]
fn answers_keep_request_order_with_any_number_of_workers() {
    let mut input = Vec::new();
    for i in 0..400 {
        let line = match i % 5 {
            // Cheap and expensive requests mixed, so workers finish out of order.
            0 => format!(r#"{{"op":"semver.compare","args":{{"a":"1.{i}.0","b":"1.10.0"}}}}"#),
            1 => format!(
                r#"{{"op":"semver.satisfies","args":{{"version":"9.{i}.0","range":"^9.0.0 || >=8.{i}"}}}}"#
            ),
            2 => "{not json".to_string(),
            3 => String::new(), // blank: skipped, no answer
            _ => format!(r#"{{"op":"no.such.op","args":{{"n":{i}}}}}"#),
        };
        input.extend_from_slice(line.as_bytes());
        input.push(b'\n');
    }
    input.extend_from_slice(&[0xff, 0xfe, b'\n']); // not UTF-8: an error answer, in its place
    let one = call("1", &input);
    assert_eq!(one.lines().count(), 400 - 80 + 1);
    assert!(one
        .lines()
        .nth(2)
        .is_some_and(|l| l.starts_with("{\"error\":")));
    for jobs in ["2", "4", "7"] {
        assert_eq!(call(jobs, &input), one, "--jobs {jobs}");
    }
}
