//! Pairs each `OK` of the TCP channel with the request it answers.
//!
//! On the TCP channel the client sends `HELO` and `PING` and the server answers each with a bare
//! `OK` that names nothing. The rule both the plugin and the analyzer use: an OK answers the
//! oldest request still waiting that was sent the other way (an OK from the side that sent the
//! HELO answers nothing).
//!
//! Bounded, because the stream is the attacker's: at most [`MAX_PENDING`] requests wait per
//! direction, and past that the oldest is forgotten and handed back for the caller to count. Real
//! clients never have more than a few waiting (Symbian gives up after five unanswered PINGs,
//! Android reconnects when an OK is 30 s late), so the bound changes no real pairing. Pairing an OK
//! is O(1): a stream of a million unanswered PINGs and then a million OKs sent the same way costs
//! as little as a real session.
//!
//! ```
//! use wvcir::pairing::Pending;
//! let mut p = Pending::default();
//! p.request(0, "HELO in frame 4"); // client to server
//! assert_eq!(p.answer(0), None, "an OK sent the same way answers nothing");
//! assert_eq!(p.answer(1), Some("HELO in frame 4"));
//! ```

use std::collections::VecDeque;

/// Requests that may wait for their OK in one direction of a connection.
pub const MAX_PENDING: usize = 64;

/// The requests of one TCP channel waiting for an OK, per direction (0 and 1; which is the client
/// is the caller's choice).
#[derive(Clone, Debug)]
pub struct Pending<T> {
    sent: [VecDeque<T>; 2],
}

impl<T> Default for Pending<T> {
    fn default() -> Self {
        Pending { sent: [VecDeque::new(), VecDeque::new()] }
    }
}

impl<T> Pending<T> {
    /// Records a request (HELO or PING) sent in direction `dir` (0, or 1 for any other value).
    /// Returns the oldest request of that direction if it had to be forgotten to stay within
    /// [`MAX_PENDING`].
    pub fn request(&mut self, dir: usize, request: T) -> Option<T> {
        let queue = self.queue(dir);
        let forgotten = if queue.len() >= MAX_PENDING { queue.pop_front() } else { None };
        queue.push_back(request);
        forgotten
    }

    /// The request that an OK sent in direction `dir` answers, no longer waiting: the oldest one
    /// sent the other way.
    pub fn answer(&mut self, dir: usize) -> Option<T> {
        self.queue(other(dir)).pop_front()
    }

    /// Requests waiting, both ways.
    pub fn len(&self) -> usize {
        self.sent.iter().map(VecDeque::len).sum()
    }

    /// Whether no request is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn queue(&mut self, dir: usize) -> &mut VecDeque<T> {
        let [a, b] = &mut self.sent;
        if dir == 0 { a } else { b }
    }
}

fn other(dir: usize) -> usize {
    usize::from(dir == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ok_answers_the_oldest_request_sent_the_other_way() {
        let mut p = Pending::default();
        p.request(0, "HELO");
        p.request(1, "server PING");
        p.request(0, "PING");
        assert_eq!(p.answer(1), Some("HELO"), "the server's OK answers the client's HELO");
        assert_eq!(p.answer(0), Some("server PING"), "a client's OK answers only the server's PING");
        assert_eq!(p.answer(0), None, "and nothing the client sent itself");
        assert_eq!(p.answer(1), Some("PING"));
        assert!(p.is_empty());
    }

    #[test]
    fn past_the_bound_the_oldest_request_is_forgotten_and_handed_back() {
        let mut p = Pending::default();
        for i in 0..MAX_PENDING {
            assert_eq!(p.request(0, i), None);
        }
        assert_eq!(p.request(0, MAX_PENDING), Some(0), "the oldest goes");
        assert_eq!(p.request(1, 1000), None, "each direction has its own bound");
        assert_eq!(p.len(), MAX_PENDING + 1);
        assert_eq!(p.answer(1), Some(1), "the next OK answers the oldest one kept");
    }
}
