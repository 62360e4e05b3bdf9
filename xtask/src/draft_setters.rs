//! Code derived from the generated types themselves, appended to the
//! generated client: conveniences progenitor does not write, made from the
//! shapes of the types it did write, so they follow the spec with no hand
//! edit.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

/// The name of the failure envelope schema; a `oneOf` of a success envelope
/// and this one is what every operation's `200` is.
const FAILURE_ENVELOPE: &str = "FailureEnvelope";

/// The items of `pub mod types`.
fn types_module(file: &syn::File) -> Vec<syn::Item> {
    file.items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(module) if module.ident == "types" => {
                module.content.as_ref().map(|(_, items)| items.clone())
            }
            _ => None,
        })
        .unwrap_or_default()
}

/// `into_result()` for an enum of two newtype variants, a success envelope
/// and the failure envelope (in either order): the untagged `oneOf` typify
/// makes of a `200` that may carry either.
fn success_or_failure(item: &syn::ItemEnum) -> Option<TokenStream> {
    let [first, second] = item.variants.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    let newtype = |variant: &syn::Variant| match &variant.fields {
        syn::Fields::Unnamed(fields) if fields.unnamed.len() == 1 => {
            Some((variant.ident.clone(), fields.unnamed[0].ty.clone()))
        }
        _ => None,
    };
    let ((success, success_type), (failure, _)) = match (newtype(first)?, newtype(second)?) {
        (a, b) if b.0 == FAILURE_ENVELOPE && a.0 != FAILURE_ENVELOPE => (a, b),
        (a, b) if a.0 == FAILURE_ENVELOPE && b.0 != FAILURE_ENVELOPE => (b, a),
        _ => return None,
    };
    let name = &item.ident;
    let failure_type = format_ident!("{FAILURE_ENVELOPE}");
    // The variant's type is written as seen from inside `mod types`.
    let success_type = quote! { types::#success_type };
    Some(quote! {
        impl types::#name {
            /// The success envelope, or the failure envelope (`"success": false`)
            /// as the error.
            pub fn into_result(self) -> ::std::result::Result<#success_type, types::#failure_type> {
                match self {
                    Self::#success(envelope) => Ok(envelope),
                    Self::#failure(failure) => Err(failure),
                }
            }
        }
    })
}

/// Everything to append to the generated client: `into_result()` for every
/// success-or-failure enum, and a `Draft`-based builder for every request
/// body (`document` is the spec as JSON: which schemas are request bodies,
/// their required fields in order, `minProperties` and the descriptions).
pub fn client_extensions(file: &syn::File, document: &Value) -> TokenStream {
    let types = types_module(file);
    let defined: BTreeSet<String> = types.iter().filter_map(item_name).collect();
    let into_result = types.iter().filter_map(|item| match item {
        syn::Item::Enum(item) => success_or_failure(item),
        _ => None,
    });
    let drafts = request_bodies(document).into_iter().map(|name| {
        let item = types.iter().find_map(|item| match item {
            syn::Item::Struct(item) if item.ident == name => Some(item),
            _ => None,
        });
        match item {
            Some(item) => draft(
                item,
                &document["components"]["schemas"][&name],
                document,
                &defined,
            ),
            None => {
                let message = format!("request body schema {name} has no generated struct");
                quote! { compile_error!(#message); }
            }
        }
    });
    quote! {
        #(#into_result)*
        #(#drafts)*
    }
}

fn item_name(item: &syn::Item) -> Option<String> {
    match item {
        syn::Item::Struct(item) => Some(item.ident.to_string()),
        syn::Item::Enum(item) => Some(item.ident.to_string()),
        syn::Item::Type(item) => Some(item.ident.to_string()),
        _ => None,
    }
}

/// The component schemas that operations take as their JSON request body,
/// in the order the spec first names them.
fn request_bodies(document: &Value) -> Vec<String> {
    let mut names = Vec::new();
    for item in document["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(_, item)| item)
    {
        for operation in item.as_object().into_iter().flatten().map(|(_, op)| op) {
            let reference = operation
                .pointer("/requestBody/content/application~1json/schema/$ref")
                .and_then(Value::as_str)
                .and_then(|reference| reference.strip_prefix("#/components/schemas/"));
            if let Some(name) = reference
                && !names.iter().any(|known| known == name)
            {
                names.push(name.to_owned());
            }
        }
    }
    names
}

/// One field of a generated request body struct.
struct Field {
    ident: syn::Ident,
    /// The JSON name (serde's `rename`, else the Rust name).
    json: String,
    /// The value's type: the field's type, or `T` of an `Option<T>`.
    value: TokenStream,
    optional: bool,
}

/// The fields of a generated struct, in declaration order.
fn fields(item: &syn::ItemStruct, defined: &BTreeSet<String>) -> Vec<Field> {
    item.fields
        .iter()
        .filter_map(|field| {
            let ident = field.ident.clone()?;
            let json = serde_rename(&field.attrs).unwrap_or_else(|| ident.to_string());
            let (optional, value) = match option_inner(&field.ty) {
                Some(inner) => (true, qualify(inner, defined)),
                None => (false, qualify(&field.ty, defined)),
            };
            Some(Field {
                ident,
                json,
                value,
                optional,
            })
        })
        .collect()
}

/// `rename = "..."` of a field's `#[serde(...)]`.
fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    let mut rename = None;
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: syn::LitStr = meta.value()?.parse()?;
                rename = Some(value.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    rename
}

/// `T` of `Option<T>` (`::std::option::Option<T>` as typify writes it).
fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) => match args.args.first()? {
            syn::GenericArgument::Type(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}

/// A type as written inside `mod types`, as seen from the crate root: names
/// of generated types get `types::`.
fn qualify(ty: &syn::Type, defined: &BTreeSet<String>) -> TokenStream {
    match ty {
        syn::Type::Path(path)
            if path.qself.is_none()
                && path.path.leading_colon.is_none()
                && path.path.segments.len() == 1
                && defined.contains(&path.path.segments[0].ident.to_string()) =>
        {
            quote! { types::#ty }
        }
        other => quote! { #other },
    }
}

/// `NewLead` -> `new_lead`.
fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (index, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if index > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The description of property `json` of `schema`, or of what it refers to.
fn description(schema: &Value, json: &str, document: &Value) -> String {
    let property = &schema["properties"][json];
    let text = property["description"].as_str().or_else(|| {
        let reference = property["$ref"].as_str()?.strip_prefix('#')?;
        document.pointer(reference)?["description"].as_str()
    });
    text.unwrap_or("See the spec.").to_owned()
}

/// `new`, the setters and the whole-body check of one request body.
fn draft(
    item: &syn::ItemStruct,
    schema: &Value,
    document: &Value,
    defined: &BTreeSet<String>,
) -> TokenStream {
    let name = &item.ident;
    let fields = fields(item, defined);
    // Constructor arguments: the required fields, in the spec's order.
    let required: Vec<&Field> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(|json| {
            fields
                .iter()
                .find(|field| field.json == json && !field.optional)
        })
        .collect();
    let arguments = required.iter().map(|field| {
        let (ident, value) = (&field.ident, &field.value);
        quote! { #ident: impl crate::IntoField<#value> }
    });
    let initializers = fields.iter().map(|field| {
        let ident = &field.ident;
        let label = ident.to_string();
        if field.optional {
            quote! { #ident: ::std::option::Option::None }
        } else {
            quote! { #ident: crate::fields::field(#label, #ident)? }
        }
    });
    let required_names = required
        .iter()
        .map(|field| format!("`{}`", field.ident))
        .collect::<Vec<_>>()
        .join(", ");
    let new_doc = if required.is_empty() {
        format!(
            "An empty `{name}` to fill in with the setters of [`crate::Draft`]; every value is checked when the draft is built."
        )
    } else {
        format!(
            "A `{name}` with its required fields ({required_names}), to complete with the setters of [`crate::Draft`]; every value is checked when the draft is built."
        )
    };
    let setters = fields.iter().map(|field| {
        let (ident, value) = (&field.ident, &field.value);
        let label = ident.to_string();
        let doc = description(schema, &field.json, document);
        let assign = if field.optional {
            quote! { body.#ident = ::std::option::Option::Some(value) }
        } else {
            quote! { body.#ident = value }
        };
        quote! {
            #[doc = #doc]
            pub fn #ident(self, value: impl crate::IntoField<#value>) -> Self {
                self.__set(#label, value, |body, value| #assign)
            }
        }
    });
    let check = match schema["minProperties"].as_u64() {
        Some(minimum) if minimum > 0 => {
            let optional = fields.iter().filter(|field| field.optional).map(|field| {
                let ident = &field.ident;
                quote! { self.#ident.is_some() }
            });
            let always = fields.iter().filter(|field| !field.optional).count();
            let label = snake_case(&name.to_string());
            let reason = if minimum == 1 {
                "no field is set; set at least one".to_owned()
            } else {
                format!("fewer than {minimum} fields are set; the spec asks for at least {minimum}")
            };
            let minimum = minimum as usize;
            quote! {
                let set = [#(#optional),*].iter().filter(|set| **set).count() + #always;
                if set < #minimum {
                    return ::std::result::Result::Err(crate::InvalidField::new(#label, #reason));
                }
                ::std::result::Result::Ok(())
            }
        }
        _ => quote! { ::std::result::Result::Ok(()) },
    };
    quote! {
        impl types::#name {
            #[doc = #new_doc]
            pub fn new(#(#arguments),*) -> crate::Draft<Self> {
                let body = (|| ::std::result::Result::Ok(Self { #(#initializers),* }))();
                crate::Draft::__start(body)
            }
        }
        impl crate::RequestBody for types::#name {
            fn check(&self) -> ::std::result::Result<(), crate::InvalidField> {
                #check
            }
        }
        impl crate::Draft<types::#name> {
            #(#setters)*
        }
        impl ::std::convert::TryFrom<crate::Draft<types::#name>> for types::#name {
            type Error = crate::InvalidField;
            fn try_from(draft: crate::Draft<types::#name>) -> ::std::result::Result<Self, Self::Error> {
                draft.build()
            }
        }
    }
}
