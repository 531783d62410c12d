//! HTML in vendor descriptions, turned into the Markdown that doc comments and stubs expect.
//!
//! Published definitions mix Markdown with HTML (`<p>`, `<br>`, `<b>`, `<a href>`, lists,
//! comments). Rustdoc would render some of it and warn about the rest, so tolerant loading
//! rewrites the common tags into Markdown and drops the others, keeping their text.

use crate::ir::{Api, Field, TypeKind};

/// Rewrites every description of the API.
pub(crate) fn docs_to_markdown(api: &mut Api) {
    let fix = |d: &mut Option<String>| {
        if let Some(text) = d {
            *text = html_to_markdown(text);
        }
    };
    let fix_fields = |fields: &mut Vec<Field>| {
        for f in fields {
            if let Some(text) = &mut f.docs {
                *text = html_to_markdown(text);
            }
        }
    };
    for tag in &mut api.tags {
        fix(&mut tag.docs);
    }
    for op in &mut api.operations {
        fix(&mut op.summary);
        fix(&mut op.description);
        fix_fields(&mut op.request.fields);
    }
    for def in api.types.values_mut() {
        fix(&mut def.docs);
        if let TypeKind::Struct { fields, .. } = &mut def.kind {
            fix_fields(fields);
        }
    }
}

/// Converts the HTML of one description into Markdown; text without tags is returned as is.
pub(crate) fn html_to_markdown(text: &str) -> String {
    if !text.contains('<') && !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut rest = text;
    let mut link: Option<String> = None;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        if let Some(comment) = after.strip_prefix("<!--") {
            // Comments are the vendor's notes to itself; drop them.
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let Some(end) = after.find('>') else {
            out.push_str(after);
            rest = "";
            break;
        };
        let tag = &after[1..end];
        rest = &after[end + 1..];
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let closing = tag.starts_with('/');
        match (name.as_str(), closing) {
            ("p" | "div", false) | ("ul" | "ol", _) => out.push_str("\n\n"),
            ("p" | "div", true) => out.push_str("\n\n"),
            ("br", _) => out.push('\n'),
            ("li", false) => out.push_str("\n- "),
            ("b" | "strong", _) => out.push_str("**"),
            ("i" | "em", _) => out.push('*'),
            ("code" | "tt", _) => out.push('`'),
            ("pre", _) => out.push_str("\n```\n"),
            ("a", false) => {
                link = attribute(tag, "href");
                out.push('[');
            }
            ("a", true) => match link.take() {
                Some(href) => out.push_str(&format!("]({href})")),
                None => out.push(']'),
            },
            _ => {}
        }
    }
    out.push_str(rest);
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    // Collapse the blank lines the block tags leave behind.
    let mut lines: Vec<&str> = Vec::new();
    for line in decoded.lines().map(str::trim_end) {
        if line.is_empty() && lines.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

/// The value of an attribute in a tag's text, e.g. `href` in `a href="x"`.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let at = tag.find(&format!("{name}="))? + name.len() + 1;
    let value = &tag[at..];
    let quote = value.chars().next()?;
    if quote == '"' || quote == '\'' {
        value[1..].split(quote).next().map(str::to_owned)
    } else {
        value.split_whitespace().next().map(str::to_owned)
    }
}

#[cfg(test)]
mod tests {
    use super::html_to_markdown;

    #[test]
    fn common_tags_become_markdown() {
        assert_eq!(
            html_to_markdown(
                "<p>Stores a <b>role</b>. See <a href=\"https://x/y\">the docs</a>.</p><ul><li>one</li><li>two &amp; three</li></ul>"
            ),
            "Stores a **role**. See [the docs](https://x/y).\n\n- one\n- two & three"
        );
        assert_eq!(
            html_to_markdown("The user. <!-- internal note -->Done<br/>now"),
            "The user. Done\nnow"
        );
        assert_eq!(html_to_markdown("plain `code`"), "plain `code`");
    }
}
