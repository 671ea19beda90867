//! Plain text scraped from a news page: find a stored caption in it fuzzily, and read the
//! ` - Outlet` suffix and the credit line printed beside the caption.
//!
//! Pure and total. It does not judge the credit (that is `credit::compare` and the audit's
//! job), and it does not pick which photos to look for: the caller passes their captions.

use std::collections::HashMap;

use serde::Serialize;

use super::credit_text::{credit_in, sentence_inside, split_outlet, tidy, whole_credit};
use super::fuzzy::{self, CAPTION_THRESHOLD, Token};

/// A stored caption found in a page's text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Found {
    /// Byte offset in the text where the printed caption starts.
    pub start: usize,
    /// Byte offset just past the printed caption (its ` - Outlet` suffix included).
    pub end: usize,
    /// [`super::caption_similarity`] of the printed caption to the stored one.
    pub score: f32,
    /// The caption as printed, ` - Outlet Name` included.
    pub printed_caption: String,
    /// The outlet named after the caption (` - Sputnik International`), if any.
    pub outlet: Option<String>,
    /// The credit line printed right after the caption, or on the line before or after it.
    pub credit: Option<String>,
}

/// A page's text tokenised once, to look for many stored captions in it.
#[derive(Debug, Clone)]
pub struct PlainText<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    /// Each text token's index in `vocab`.
    ids: Vec<usize>,
    /// The distinct lower-cased words of the text.
    vocab: Vec<String>,
    index: HashMap<String, usize>,
}

/// Find one stored caption in a page's text; `None` when nothing scores
/// [`CAPTION_THRESHOLD`] or more. For many captions, build a [`PlainText`] once.
pub fn find_caption(text: &str, caption: &str) -> Option<Found> {
    PlainText::new(text).find(caption)
}

impl<'a> PlainText<'a> {
    /// Tokenise `text` for searching.
    pub fn new(text: &'a str) -> PlainText<'a> {
        let tokens = fuzzy::tokens(text);
        let mut index = HashMap::new();
        let mut vocab = Vec::new();
        let ids = tokens
            .iter()
            .map(|t| {
                *index.entry(t.norm.clone()).or_insert_with(|| {
                    vocab.push(t.norm.clone());
                    vocab.len() - 1
                })
            })
            .collect();
        PlainText {
            text,
            tokens,
            ids,
            vocab,
            index,
        }
    }

    /// The text this was built from.
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// Where `caption` is printed in the text, with the credit beside it; `None` when no
    /// stretch of the text scores [`CAPTION_THRESHOLD`] or more against it.
    pub fn find(&self, caption: &str) -> Option<Found> {
        let wanted = fuzzy::tokens(caption);
        if wanted.is_empty() || !self.may_hold(&wanted) {
            return None;
        }
        // Which distinct text words each caption word matches, so the alignment's inner
        // loop is a lookup rather than an edit distance.
        let table: Vec<Vec<bool>> = wanted
            .iter()
            .map(|w| self.vocab.iter().map(|v| fuzzy::same(&w.norm, v)).collect())
            .collect();
        let (first, end) = fuzzy::locate(&wanted, self.tokens.len(), |i, j| {
            let id = self.ids.get(j).copied().unwrap_or(usize::MAX);
            table
                .get(i)
                .and_then(|row| row.get(id))
                .copied()
                .unwrap_or(false)
        })?;
        let start = self.tokens.get(first)?.start;
        let words_end = self.tokens.get(end.checked_sub(1)?)?.end;
        let found = self.read_around(start, words_end);
        let score = super::caption_similarity(&found.printed_caption, caption);
        (score >= CAPTION_THRESHOLD).then_some(Found { score, ..found })
    }

    /// A cheap test before the alignment: enough of the caption's longer words (or of its
    /// first words, for a caption printed cut) occur in the text at all.
    fn may_hold(&self, wanted: &[Token]) -> bool {
        let long: Vec<&Token> = wanted
            .iter()
            .filter(|t| t.norm.chars().count() >= 4)
            .collect();
        if long.is_empty() {
            return true;
        }
        let total: u32 = long.iter().map(|t| fuzzy::weight(t)).sum();
        let present: u32 = long
            .iter()
            .filter(|t| self.index.contains_key(&t.norm))
            .map(|t| fuzzy::weight(t))
            .sum();
        present as f32 >= 0.3 * total.min(60) as f32
    }

    /// The caption printed at `start..words_end` (its last matched word), extended over its
    /// closing punctuation and ` - Outlet` suffix, and the credit beside it.
    fn read_around(&self, start: usize, words_end: usize) -> Found {
        let text = self.text;
        let end = close(text, words_end);
        let line_end = text
            .get(end..)
            .and_then(|rest| rest.find('\n'))
            .map_or(text.len(), |i| end + i);
        let line_start = text
            .get(..start)
            .and_then(|before| before.rfind('\n'))
            .map_or(0, |i| i + 1);
        let rest = text.get(end..line_end).unwrap_or("");
        let (outlet, credit_from) = match split_outlet(rest) {
            Some((outlet, after)) => (Some(outlet.to_string()), after),
            None => (None, 0),
        };
        let beside = rest.get(credit_from..).unwrap_or("");
        // What follows the caption on its line is its credit even when no agency is named
        // in it (`Lynsey Addario NYT`), if the caption has plainly ended (a full stop, an
        // outlet, or the credit glued on) and the rest is short and not a sentence; a
        // caption reworded at its end (`…, NATO said`) stops without one.
        let glued = beside.starts_with(|c: char| !c.is_whitespace() && !",;:".contains(c));
        let ended = end > words_end || credit_from > 0 || glued;
        let short = {
            let beside = beside.trim();
            ended
                && (1..=16).contains(&beside.split_whitespace().count())
                && !sentence_inside(beside)
                && beside.contains(char::is_uppercase)
        };
        let credit = if short {
            Some(tidy(beside)).filter(|c| !c.is_empty())
        } else {
            credit_in(beside, 0)
        };
        self.finish(
            start,
            end + credit_from,
            outlet,
            credit,
            (line_start, line_end),
        )
    }

    /// Fill in a credit printed before the caption on its line, or alone on the line after
    /// or before it, when none follows it.
    fn finish(
        &self,
        start: usize,
        end: usize,
        outlet: Option<String>,
        credit: Option<String>,
        (line_start, line_end): (usize, usize),
    ) -> Found {
        let text = self.text;
        let credit = credit
            .or_else(|| {
                let before = text.get(line_start..start)?.trim();
                whole_credit(before)
            })
            .or_else(|| {
                let next = text
                    .get(line_end..)?
                    .lines()
                    .find(|l| !l.trim().is_empty())?;
                whole_credit(next.trim())
            })
            .or_else(|| {
                let previous = text
                    .get(..line_start)?
                    .lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())?;
                whole_credit(previous.trim())
            });
        Found {
            start,
            end,
            score: 0.0,
            printed_caption: text.get(start..end).unwrap_or("").trim().to_string(),
            outlet,
            credit,
        }
    }
}

/// Where a caption ending at `end` really ends: over its closing full stop, ellipsis and
/// closing quotes or brackets (`2013.`, `meeting…`, `said.”`), but not over a quote that
/// opens what follows (`2013."Creative Commons …" by tvol`).
fn close(text: &str, mut end: usize) -> usize {
    let rest = text.get(end..).unwrap_or("");
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        let closing = "\"'”’)]".contains(c);
        let opens_next = closing
            && chars
                .peek()
                .is_some_and(|n| !n.is_whitespace() && !".…!?\"'”’)],;:".contains(*n));
        if !(".…!?".contains(c) || closing) || opens_next {
            break;
        }
        end += c.len_utf8();
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reworded_caption_end_is_not_a_credit() {
        let caption = "Ministers meet at NATO headquarters in Brussels on Tuesday";
        let text = format!("{caption}, NATO said\n© AFP 2023 / JOHN THYS");
        let found = find_caption(&text, caption).expect("found");
        assert_eq!(found.credit.as_deref(), Some("© AFP 2023 / JOHN THYS"));
        let text = format!("{caption}.Lynsey Addario NYT");
        let found = find_caption(&text, caption).expect("found");
        assert_eq!(found.credit.as_deref(), Some("Lynsey Addario NYT"));
    }
}
