//! Code derived from the generated types themselves, appended to the
//! generated client: conveniences progenitor does not write, made from the
//! shapes of the types it did write, so they follow the spec with no hand
//! edit.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The name of the failure envelope schema; a `oneOf` of a success envelope
/// and this one is what every operation's `200` is.
const FAILURE_ENVELOPE: &str = "FailureEnvelope";

/// Everything to append to the generated client, from its parsed source.
pub fn client_extensions(file: &syn::File) -> TokenStream {
    let types = types_module(file);
    let into_result = types.iter().filter_map(|item| match item {
        syn::Item::Enum(item) => success_or_failure(item),
        _ => None,
    });
    quote! { #(#into_result)* }
}

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
