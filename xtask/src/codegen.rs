//! Turning the spec into checked-in Rust source with progenitor.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::Context as _;
use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle, TypeImpl};

use crate::spec_file::{SPEC_PATH, SpecFile};

/// The generated client, relative to the workspace root.
pub const CLIENT_PATH: &str = "crates/liner-api/src/generated.rs";
/// The generated httpmock helpers, relative to the workspace root.
pub const MOCKS_PATH: &str = "crates/liner-api-httpmock/src/generated.rs";

/// One file derived from the spec: where it goes and what it must contain.
pub struct Artifact {
    root: PathBuf,
    relative_path: &'static str,
    pub contents: String,
}

impl Artifact {
    pub fn path(&self) -> PathBuf {
        self.root.join(self.relative_path)
    }

    pub fn display_path(&self) -> &'static str {
        self.relative_path
    }

    /// Writes the file unless it already holds exactly these bytes, so that
    /// an unchanged spec leaves modification times (and cargo) alone.
    pub fn write_if_changed(&self) -> anyhow::Result<bool> {
        let path = self.path();
        if std::fs::read_to_string(&path).ok().as_deref() == Some(self.contents.as_str()) {
            return Ok(false);
        }
        std::fs::write(&path, &self.contents)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(true)
    }
}

/// Renders every artifact from the spec under `root`, in memory.
pub fn render_all(root: &Path) -> anyhow::Result<Vec<Artifact>> {
    let spec = SpecFile::load(root)?;
    Ok(vec![
        Artifact {
            root: root.to_path_buf(),
            relative_path: CLIENT_PATH,
            contents: render_client(&spec, root)?,
        },
        Artifact {
            root: root.to_path_buf(),
            relative_path: MOCKS_PATH,
            contents: render_mocks(&spec, root)?,
        },
    ])
}

/// The progenitor settings of the generated client. Each choice is explained
/// because it shapes the public API of `liner-api`.
fn client_settings() -> GenerationSettings {
    let mut settings = GenerationSettings::default();
    settings
        // Builder style (`client.list_leads().limit(100).send()`) rather than
        // positional: `listLeads` has six optional parameters, and positional
        // calls like `list_leads(None, None, Some(100), None, None, None)`
        // are unreadable and break on every added parameter. It is also what
        // Oxide's own SDK uses.
        .with_interface(InterfaceStyle::Builder)
        // Merged tags: the five operations become inherent methods of
        // `Client`. Separate per-tag traits (`ClientLeadsExt`) would make
        // users import a trait for two tags' worth of methods.
        .with_tag(TagStyle::Merged)
        // No inner type and no hooks settings: authentication is a default
        // `X-Api-Key` header on the `reqwest::Client` (see
        // crates/liner-api/src/auth.rs), and the one hook we need, dropping
        // the `api-version` header progenitor adds to every request, is a
        // hand-written `ClientHooks` impl for `Client`
        // (crates/liner-api/src/hooks.rs), which takes precedence over the
        // generated default impl for `&Client`.
        //
        // Types derive `schemars::JsonSchema` so users can export the schema
        // of what the client sends and accepts.
        .with_derive("schemars::JsonSchema")
        // And `PartialEq`, so that users (and tests) can compare leads and
        // calls. The hand-written leaves implement it too.
        .with_derive("PartialEq")
        // The request timeout of `Client::new`. 15 s is progenitor's default
        // and also the `CURLOPT_TIMEOUT` of every example in the Liner docs;
        // it is spelled out so a progenitor upgrade cannot change it silently.
        .with_timeout(15);
    // The envelope's `success` flag pinned to one value. typify reads
    // `type: boolean, enum: [true]` as a plain `bool`, so the `oneOf` of a
    // success envelope and the failure envelope that every `200` is would
    // decode a failure as a success whenever `data` is optional (the update's
    // acknowledgement). These two types accept only their one value, which
    // makes the untagged enum pick the branch the spec means.
    settings
        .with_replacement("Succeeded", "crate::values::Succeeded", std::iter::empty())
        .with_replacement("Failed", "crate::values::Failed", std::iter::empty());
    // The leaves of the response types, hand-written in
    // crates/liner-api/src/values/; the structs around them (which fields a
    // lead or a call has) stay generated. typify's own versions work but are
    // poor to use and slow to decode:
    // - the open enums (`oneOf`/`anyOf` of the documented values and any
    //   string) become a struct or an untagged enum of a closed enum and a
    //   constrained string newtype; ours is one enum, the documented values
    //   plus `Other(String)`, that round-trips;
    // - `Timestamp` (text or Unix seconds) becomes an untagged enum with no
    //   way to read it; ours keeps the raw value and `.parse()`s it into a
    //   `jiff::Timestamp`;
    // - `VkId` (string or number) becomes an untagged enum; ours is the id as
    //   text either way;
    // - `CustomValues` (a map, or PHP's `[]` for an empty one) becomes an
    //   untagged enum of a map and a list; ours is always a map.
    // Untagged enums also buffer every value and build an error per branch
    // that fails: the hand-written visitors decode a page measurably faster.
    for (schema, leaf) in [
        ("LeadTypeValue", "crate::values::LeadTypeValue"),
        ("Direction", "crate::values::Direction"),
        ("FinishInitiator", "crate::values::FinishInitiator"),
        ("Timestamp", "crate::values::Timestamp"),
        ("VkId", "crate::values::VkId"),
        ("CustomValues", "crate::values::CustomValues"),
    ] {
        settings.with_replacement(
            schema,
            leaf,
            [TypeImpl::Display, TypeImpl::FromStr]
                .into_iter()
                .filter(|_| schema != "CustomValues"),
        );
    }
    // `format: date-time` (the `createdAt[..]` filters) as a `jiff::Timestamp`,
    // which `liner` already uses, rather than typify's default
    // `chrono::DateTime<Utc>`: one date-time library for the workspace. It
    // serializes as RFC 3339, which is what the format means.
    settings.with_conversion(
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            format: Some("date-time".to_owned()),
            ..Default::default()
        },
        "::jiff::Timestamp",
        [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
    );
    // Counts and offsets (`minimum: 0`) as `u64`. typify keeps `i64` for an
    // int64 whose minimum is 0 (only `minimum: 1` changes the type, to
    // `NonZeroU64`); `u64` says in the type what the spec says.
    settings.with_conversion(
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::Integer.into()),
            format: Some("int64".to_owned()),
            number: Some(Box::new(schemars::schema::NumberValidation {
                minimum: Some(0.0),
                ..Default::default()
            })),
            ..Default::default()
        },
        "u64",
        [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
    );
    settings
}

fn render_client(spec: &SpecFile, root: &Path) -> anyhow::Result<String> {
    let mut generator = Generator::new(&client_settings());
    let mut tokens = generator.generate_tokens(&spec.document).map_err(|err| {
        anyhow::anyhow!(
            "{}",
            spec.locate(&format!("progenitor cannot generate a client: {err}"))
        )
    })?;
    let file: syn::File =
        syn::parse2(tokens.clone()).context("progenitor produced unparsable Rust")?;
    let document = serde_json::to_value(&spec.document).context("the spec as JSON")?;
    tokens.extend(crate::draft_setters::client_extensions(&file, &document));
    format_generated(tokens, "", root)
}

/// The typed `httpmock` helpers (`MockServerExt::get_lead(|when, then| ..)`).
///
/// progenitor's mock generator emits code that does not compile for array
/// query parameters (upstream issue #1260). The mocks are therefore generated
/// from a copy of the spec without the two array parameters of `listLeads`
/// (`orderIds[]`, `statusIds[]`); tests that must match on them add
/// `when.into_inner().query_param("orderIds[]", "100")` by hand. The settings
/// are the client's, so the mocks name the same types.
fn render_mocks(spec: &SpecFile, root: &Path) -> anyhow::Result<String> {
    let mut document = spec.document.clone();
    let removed = drop_array_query_parameters(&mut document);
    let mut generator = Generator::new(&client_settings());
    let tokens = generator.httpmock(&document, "liner_api").map_err(|err| {
        anyhow::anyhow!(
            "{}",
            spec.locate(&format!("progenitor cannot generate mocks: {err}"))
        )
    })?;
    let note = format!(
        "// Array query parameters are left out of the mocks (progenitor #1260): {}.\n",
        removed.join(", ")
    );
    format_generated(tokens, &note, root)
}

/// Removes every array-typed query parameter from every operation; returns
/// `operationId.parameter` for each one removed.
fn drop_array_query_parameters(document: &mut openapiv3::OpenAPI) -> Vec<String> {
    use openapiv3::{Parameter, ParameterSchemaOrContent, ReferenceOr, SchemaKind, Type};
    let mut removed = Vec::new();
    for (_, item) in document.paths.paths.iter_mut() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            let id = operation.operation_id.clone().unwrap_or_default();
            operation.parameters.retain(|parameter| {
                let ReferenceOr::Item(Parameter::Query { parameter_data, .. }) = parameter else {
                    return true;
                };
                let is_array = matches!(
                    &parameter_data.format,
                    ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema))
                        if matches!(schema.schema_kind, SchemaKind::Type(Type::Array(_)))
                );
                if is_array {
                    removed.push(format!("{id}.{}", parameter_data.name));
                }
                !is_array
            });
        }
    }
    removed
}

/// Applies the token fixes, prints, adds the header and runs rustfmt.
fn format_generated(
    tokens: proc_macro2::TokenStream,
    extra_header: &str,
    root: &Path,
) -> anyhow::Result<String> {
    let tokens = split_multiline_docs(escape_reserved_idents(tokens));
    let file: syn::File = syn::parse2(tokens).context("progenitor produced unparsable Rust")?;
    let header = format!(
        "// Generated by `cargo xtask generate` from {SPEC_PATH} with progenitor {}.\n\
         // Do not edit: change the spec (or xtask/src/codegen.rs) and regenerate.\n{extra_header}\n",
        PROGENITOR_VERSION
    );
    rustfmt(&format!("{header}{}", prettyplease::unparse(&file)), root)
}

/// Rewrites identifiers that edition 2024 reserves into raw identifiers.
///
/// typify 0.8 writes `JsonSchema` impls for constrained newtypes (the `Phone`
/// pattern, the `Other` branch of open enums) with a parameter named `gen`
/// and the path `::schemars::gen::SchemaGenerator`. `gen` is a reserved
/// keyword in edition 2024, the edition of every crate here, so the code would
/// not compile. `r#gen` means the same identifier in every edition.
fn escape_reserved_idents(tokens: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    use proc_macro2::{Group, Ident, TokenTree};
    const RESERVED_IN_2024: &[&str] = &["gen"];
    tokens
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Ident(ident) if RESERVED_IN_2024.iter().any(|word| ident == word) => {
                TokenTree::Ident(Ident::new_raw(&ident.to_string(), ident.span()))
            }
            TokenTree::Group(group) => {
                let mut escaped =
                    Group::new(group.delimiter(), escape_reserved_idents(group.stream()));
                escaped.set_span(group.span());
                TokenTree::Group(escaped)
            }
            other => other,
        })
        .collect()
}

/// Splits every multi-line `#[doc = "..."]` into one attribute per line.
///
/// prettyplease prints a multi-line doc attribute as a `/** ... */` block
/// comment with its lines at column 0; rustfmt then indents those lines to the
/// item's depth, and Markdown reads four leading spaces as a code block, so
/// prose became doctests that do not compile. One attribute per line prints as
/// `///` comments, which rustfmt leaves alone. rustdoc joins consecutive doc
/// attributes with newlines, so the documentation is the same.
fn split_multiline_docs(tokens: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    use proc_macro2::{Delimiter, Group, Literal, Punct, Spacing, TokenStream, TokenTree};
    let mut out = Vec::new();
    let mut trees = tokens.into_iter().peekable();
    while let Some(tree) = trees.next() {
        let TokenTree::Punct(pound) = &tree else {
            out.push(match tree {
                TokenTree::Group(group) => {
                    let mut split =
                        Group::new(group.delimiter(), split_multiline_docs(group.stream()));
                    split.set_span(group.span());
                    TokenTree::Group(split)
                }
                other => other,
            });
            continue;
        };
        if pound.as_char() != '#' {
            out.push(tree);
            continue;
        }
        // `#` then, for inner attributes, `!`, then the bracketed body.
        let bang = match trees.peek() {
            Some(TokenTree::Punct(p)) if p.as_char() == '!' => trees.next(),
            _ => None,
        };
        let lines = match trees.peek() {
            Some(TokenTree::Group(body)) if body.delimiter() == Delimiter::Bracket => {
                doc_lines(body.stream())
            }
            _ => None,
        };
        match lines {
            Some(lines) => {
                trees.next();
                for line in lines {
                    out.push(TokenTree::Punct(Punct::new('#', Spacing::Alone)));
                    if let Some(bang) = &bang {
                        out.push(bang.clone());
                    }
                    let body: TokenStream = quote_doc(Literal::string(&line));
                    out.push(TokenTree::Group(Group::new(Delimiter::Bracket, body)));
                }
            }
            None => {
                out.push(tree);
                out.extend(bang);
            }
        }
    }
    out.into_iter().collect()
}

/// The lines of a `doc = "..."` attribute body that spans several lines.
fn doc_lines(body: proc_macro2::TokenStream) -> Option<Vec<String>> {
    let attribute: syn::MetaNameValue = syn::parse2(body).ok()?;
    if !attribute.path.is_ident("doc") {
        return None;
    }
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(text),
        ..
    }) = &attribute.value
    else {
        return None;
    };
    let text = text.value();
    text.contains('\n')
        .then(|| text.lines().map(str::to_owned).collect())
}

/// The tokens `doc = <literal>`.
fn quote_doc(literal: proc_macro2::Literal) -> proc_macro2::TokenStream {
    use proc_macro2::{Ident, Punct, Spacing, Span, TokenTree};
    [
        TokenTree::Ident(Ident::new("doc", Span::call_site())),
        TokenTree::Punct(Punct::new('=', Spacing::Alone)),
        TokenTree::Literal(literal),
    ]
    .into_iter()
    .collect()
}

/// The pinned progenitor version, named in the generated file's header.
const PROGENITOR_VERSION: &str = "0.15.1";

/// Runs the toolchain's rustfmt over generated source so that
/// `cargo fmt --check` agrees with the checked-in file byte for byte.
/// prettyplease alone gets close but wraps some lines differently.
fn rustfmt(source: &str, root: &Path) -> anyhow::Result<String> {
    let mut child = Command::new(std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into()))
        .args(["--edition", "2024", "--emit", "stdout", "--quiet"])
        // rustfmt reads rustfmt.toml from its working directory when it reads
        // stdin; use the workspace's, as `cargo fmt` does.
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot run rustfmt (install it with `rustup component add rustfmt`)")?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = source.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().context("rustfmt did not finish")?;
    writer
        .join()
        .expect("the rustfmt writer thread does not panic")
        .context("cannot write to rustfmt")?;
    if !output.status.success() {
        anyhow::bail!(
            "rustfmt rejected the generated code: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    String::from_utf8(output.stdout).context("rustfmt wrote invalid UTF-8")
}
