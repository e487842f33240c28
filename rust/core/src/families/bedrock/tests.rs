use super::*;

#[test]
fn base64_table() {
    let cases: [(&str, Option<&[u8]>); 12] = [
        ("", Some(b"")),
        ("YQ==", Some(b"a")),
        ("YWI=", Some(b"ab")),
        ("YWJj", Some(b"abc")),
        ("YR==", Some(b"a")), // leftover bits ignored
        ("YWJjZA==", Some(b"abcd")),
        ("YQ", None),
        ("YQ=a", None),
        ("YQ==YQ==", None),
        ("Y===", None),
        ("YW J", None),
        ("-_==", None),
    ];
    for (text, expected) in cases {
        assert_eq!(base64_decode(text.as_bytes()).as_deref(), expected, "{text}");
    }
}
