//! Streaming policy input: splits Fleet API responses and JSON Lines into one raw JSON document
//! per policy without ever holding the whole file in memory.
//!
//! Accepted shapes, in any mix and any number, separated by whitespace:
//! - `{"items": [policy, …], …}` (Fleet's list API) — streamed element by element;
//! - `{"item": policy}` (Fleet's get API);
//! - `[policy, …]`;
//! - a bare policy object (this is also what a JSON Lines file holds, one per line).
//!
//! The scanner only tracks strings, escapes and nesting; each policy is then parsed on its own by
//! a worker, so the work parallelises and memory stays proportional to one batch.

use std::io::{self, BufRead};

/// Reads policies as raw JSON byte strings.
pub struct PolicyStream<R: BufRead> {
    reader: R,
    /// Where we are in the top-level document.
    state: State,
    /// Byte offset, for error messages.
    offset: u64,
    peeked: Option<u8>,
}

#[derive(Debug, PartialEq, Eq)]
enum State {
    /// Between top-level documents.
    TopLevel,
    /// Inside a top-level array of policies.
    InArray,
    /// Inside the `items` array of a top-level object; after it, skip the object's other keys.
    InItems,
    /// Done.
    End,
}

impl<R: BufRead> PolicyStream<R> {
    /// Wraps a buffered reader.
    pub fn new(reader: R) -> Self {
        PolicyStream {
            reader,
            state: State::TopLevel,
            offset: 0,
            peeked: None,
        }
    }

    fn next_byte(&mut self) -> io::Result<Option<u8>> {
        if let Some(b) = self.peeked.take() {
            return Ok(Some(b));
        }
        let buf = self.reader.fill_buf()?;
        let Some(&b) = buf.first() else {
            return Ok(None);
        };
        self.reader.consume(1);
        self.offset += 1;
        Ok(Some(b))
    }

    fn peek(&mut self) -> io::Result<Option<u8>> {
        if self.peeked.is_none() {
            self.peeked = self.next_byte()?;
        }
        Ok(self.peeked)
    }

    fn skip_ws(&mut self) -> io::Result<Option<u8>> {
        loop {
            match self.peek()? {
                Some(b) if b.is_ascii_whitespace() => {
                    self.peeked = None;
                }
                other => return Ok(other),
            }
        }
    }

    fn invalid(&self, what: &str) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{what} at byte {}", self.offset),
        )
    }

    /// Copies one complete JSON value (object, array, string or scalar) into `out`.
    fn read_value(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        let first = self
            .skip_ws()?
            .ok_or_else(|| self.invalid("unexpected end of input"))?;
        if first == b'"' {
            self.peeked = None;
            out.push(first);
            return self.read_string_rest(out);
        }
        if first != b'{' && first != b'[' {
            // A scalar: up to the next delimiter.
            loop {
                match self.peek()? {
                    Some(b)
                        if !(b.is_ascii_whitespace() || b == b',' || b == b']' || b == b'}') =>
                    {
                        self.peeked = None;
                        out.push(b);
                    }
                    _ => return Ok(()),
                }
            }
        }
        // Fast path over a container: the reader's buffer is scanned in bulk.
        let mut depth: usize = 0;
        let mut in_string = false;
        let mut escaped = false;
        if let Some(b) = self.peeked.take() {
            out.push(b);
            depth = 1;
        }
        loop {
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                return Err(self.invalid("unexpected end of input inside a JSON value"));
            }
            let mut used = 0;
            let mut done = false;
            for &b in buf {
                used += 1;
                if in_string {
                    if escaped {
                        escaped = false;
                    } else if b == b'\\' {
                        escaped = true;
                    } else if b == b'"' {
                        in_string = false;
                    }
                    continue;
                }
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            done = true;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            out.extend_from_slice(&buf[..used]);
            self.reader.consume(used);
            self.offset += used as u64;
            if done {
                return Ok(());
            }
        }
    }

    fn read_string_rest(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        let mut escaped = false;
        loop {
            let b = self
                .next_byte()?
                .ok_or_else(|| self.invalid("unterminated string"))?;
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                return Ok(());
            }
        }
    }

    /// After an array element: `,` continues, `]` ends the array.
    fn after_element(&mut self) -> io::Result<bool> {
        match self.skip_ws()? {
            Some(b',') => {
                self.peeked = None;
                Ok(true)
            }
            Some(b']') => {
                self.peeked = None;
                Ok(false)
            }
            _ => Err(self.invalid("expected `,` or `]` in a list of policies")),
        }
    }

    /// Skips the rest of a top-level object after its `items` array (`, "total": 3 }`).
    fn finish_object(&mut self) -> io::Result<()> {
        let mut scratch = Vec::new();
        loop {
            match self.skip_ws()? {
                Some(b'}') => {
                    self.peeked = None;
                    return Ok(());
                }
                Some(b',') => {
                    self.peeked = None;
                    scratch.clear();
                    self.read_value(&mut scratch)?; // key
                    if self.skip_ws()? != Some(b':') {
                        return Err(self.invalid("expected `:`"));
                    }
                    self.peeked = None;
                    scratch.clear();
                    self.read_value(&mut scratch)?;
                }
                _ => return Err(self.invalid("expected `,` or `}`")),
            }
        }
    }

    /// Reads a top-level object. Returns the policy it is (or holds in `item`), or `None` when it
    /// opened an `items` array (the caller then streams its elements).
    fn read_top_object(&mut self) -> io::Result<Option<Vec<u8>>> {
        // Keep the raw bytes in case the object is itself a policy.
        let mut raw = vec![b'{'];
        self.peeked = None;
        let mut first = true;
        loop {
            match self.skip_ws()? {
                Some(b'}') => {
                    self.peeked = None;
                    raw.push(b'}');
                    return Ok(Some(raw));
                }
                Some(b',') if !first => {
                    self.peeked = None;
                    raw.push(b',');
                }
                Some(b'"') if first => {}
                _ => return Err(self.invalid("expected a key or `}`")),
            }
            first = false;
            let mut key = Vec::new();
            self.read_value(&mut key)?;
            if self.skip_ws()? != Some(b':') {
                return Err(self.invalid("expected `:`"));
            }
            self.peeked = None;
            let value_start = self.skip_ws()?;
            if key == b"\"items\"" && value_start == Some(b'[') {
                self.peeked = None;
                self.state = State::InItems;
                return Ok(None);
            }
            if key == b"\"item\"" && value_start == Some(b'{') {
                let mut item = Vec::new();
                self.read_value(&mut item)?;
                self.finish_object()?;
                return Ok(Some(item));
            }
            raw.extend_from_slice(&key);
            raw.push(b':');
            self.read_value(&mut raw)?;
        }
    }

    /// The next policy's raw JSON, or `None` at the end.
    ///
    /// # Errors
    /// Read errors and structural JSON errors (with the byte offset).
    pub fn next_policy(&mut self) -> io::Result<Option<Vec<u8>>> {
        loop {
            match self.state {
                State::End => return Ok(None),
                State::InArray | State::InItems => {
                    if self.skip_ws()? == Some(b']') {
                        self.peeked = None;
                        if self.state == State::InItems {
                            self.finish_object()?;
                        }
                        self.state = State::TopLevel;
                        continue;
                    }
                    let mut out = Vec::with_capacity(4096);
                    self.read_value(&mut out)?;
                    if !self.after_element()? {
                        if self.state == State::InItems {
                            self.finish_object()?;
                        }
                        self.state = State::TopLevel;
                    }
                    return Ok(Some(out));
                }
                State::TopLevel => match self.skip_ws()? {
                    None => {
                        self.state = State::End;
                        return Ok(None);
                    }
                    Some(b'[') => {
                        self.peeked = None;
                        self.state = State::InArray;
                    }
                    Some(b'{') => {
                        if let Some(policy) = self.read_top_object()? {
                            return Ok(Some(policy));
                        }
                    }
                    Some(_) => {
                        return Err(self
                            .invalid("expected a policy object, a list or a Fleet API response"))
                    }
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &str) -> Vec<String> {
        let mut s = PolicyStream::new(io::BufReader::with_capacity(7, input.as_bytes()));
        let mut out = Vec::new();
        while let Some(p) = s.next_policy().unwrap() {
            out.push(String::from_utf8(p).unwrap());
        }
        out
    }

    #[test]
    fn every_shape_is_split_into_policies() {
        assert_eq!(
            all(r#"{"items":[{"a":1},{"b":"]}"}],"total":2,"page":1}"#),
            vec![r#"{"a":1}"#, r#"{"b":"]}"}"#]
        );
        assert_eq!(
            all(r#"{"item":{"id":"x","v":[1,{"c":"\"}"}]}}"#),
            vec![r#"{"id":"x","v":[1,{"c":"\"}"}]}"#]
        );
        assert_eq!(
            all("[{\"a\":1} , {\"b\":2}]"),
            vec![r#"{"a":1}"#, r#"{"b":2}"#]
        );
        assert_eq!(
            all("{\"id\":\"p1\",\"x\":[1]}\n{\"id\":\"p2\"}\n"),
            vec![r#"{"id":"p1","x":[1]}"#, r#"{"id":"p2"}"#]
        );
        assert_eq!(all(r#"{"total":0,"items":[]}"#), Vec::<String>::new());
        assert_eq!(all("  \n "), Vec::<String>::new());
    }

    #[test]
    fn broken_input_is_an_error_not_a_hang() {
        for bad in [
            "{\"items\":[{\"a\":1}",
            "[{\"a\":1} {\"b\":2}]",
            "nope",
            "{\"a\" 1}",
            "{\"items\":[\"unterminated",
        ] {
            let mut s = PolicyStream::new(io::BufReader::new(bad.as_bytes()));
            let mut err = false;
            for _ in 0..10 {
                match s.next_policy() {
                    Ok(Some(_)) => continue,
                    Ok(None) => break,
                    Err(_) => {
                        err = true;
                        break;
                    }
                }
            }
            assert!(err, "{bad} should fail");
        }
    }
}
