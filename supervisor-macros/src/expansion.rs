//! What a typical child and a typical tree expand to, written out in full:
//! the expansion is plain builder calls a person could have written.

use proc_macro2::TokenStream;
use quote::quote;

fn assert_expands(actual: TokenStream, expected: TokenStream) {
    assert_eq!(actual.to_string(), expected.to_string());
}

#[test]
fn a_typical_child_expands_to_its_fn_a_marker_and_builder_calls() {
    let fn_item = quote! {
        async fn api(ctx: ChildContext) -> Result<(), std::io::Error> {
            ctx.cancelled().await;
            Ok(())
        }
    };
    let args = quote!(
        role = "service",
        shutdown = "5s",
        heartbeat = "10s",
        restart = "transient"
    );
    let actual = crate::supervised::expand(args, fn_item.clone());
    let expected = quote! {
        #fn_item

        #[doc = "The child declared by `#[supervised]` on the async fn `api`: its `Supervised::spec()` is the child's spec."]
        #[allow(non_camel_case_types, dead_code)]
        #[derive(
            ::supervisor::__private::Debug,
            ::supervisor::__private::Clone,
            ::supervisor::__private::Copy
        )]
        struct api {}

        #[allow(deprecated)]
        const _: () = {
            impl ::supervisor::__private::Supervised for api {
                const ID: &'static str = "api";
                const ROLE: ::supervisor::__private::TaskRole =
                    ::supervisor::__private::TaskRole::Service;
                const PRIMARY: ::supervisor::__private::Option<&'static str> =
                    ::supervisor::__private::Option::None;
                const FACTS: ::supervisor::__private::ChildFacts =
                    ::supervisor::__private::ChildFacts::task(
                        <Self as ::supervisor::__private::Supervised>::ID,
                        <Self as ::supervisor::__private::Supervised>::ROLE,
                        <Self as ::supervisor::__private::Supervised>::PRIMARY,
                        ::supervisor::__private::TaskShape::WithContext
                    )
                    .restart(::supervisor::__private::RestartPolicy::Transient)
                    .shutdown(::supervisor::__private::ShutdownPolicy::Timeout(
                        ::supervisor::__private::Duration::from_secs(5)
                    ))
                    .heartbeat(::supervisor::__private::Duration::from_secs(10));

                fn spec() -> ::supervisor::__private::ChildSpec {
                    ::supervisor::__private::ChildSpec::declared(
                        <Self as ::supervisor::__private::Supervised>::ID,
                        <Self as ::supervisor::__private::Supervised>::ROLE
                    )
                    .with_factory(
                        ::supervisor::__private::task_with_context::<Result<(), std::io::Error>, ChildContext, _, _>(api)
                    )
                    .restart(::supervisor::__private::RestartPolicy::Transient)
                    .shutdown(::supervisor::__private::ShutdownPolicy::Timeout(
                        ::supervisor::__private::Duration::from_secs(5)
                    ))
                    .heartbeat(::supervisor::__private::Duration::from_secs(10))
                }
            }
        };
    };
    assert_expands(actual, expected);
}

#[test]
fn a_typical_tree_expands_to_builder_calls_and_const_checks() {
    let input = quote! {
        #[supervisor(strategy = "rest_for_one", crate = "sv")]
        struct App {
            api: api,
            #[child(shutdown = "1s")]
            ingest: Ingest,
        }
    };
    let actual = crate::tree::expand(input);
    let expected = quote! {
        #[allow(deprecated)]
        const _: () = {
            impl sv::__private::SupervisorTree for App {
                const ID: &'static str = "app";

                fn spec() -> sv::__private::SupervisorSpec {
                    sv::__private::SupervisorSpec::new(<Self as sv::__private::SupervisorTree>::ID)
                        .strategy(sv::__private::Strategy::RestForOne)
                        .child(<api as sv::__private::Child>::child_spec())
                        .child(
                            <Ingest as sv::__private::Child>::child_spec()
                                .shutdown(sv::__private::ShutdownPolicy::Timeout(
                                    sv::__private::Duration::from_secs(1)
                                ))
                        )
                }
            }

            impl sv::__private::Child for App {
                const ID: &'static str = <Self as sv::__private::SupervisorTree>::ID;
                const ROLE: sv::__private::TaskRole = sv::__private::TaskRole::Supervisor;
                const PRIMARY: sv::__private::Option<&'static str> = sv::__private::Option::None;
                const FACTS: sv::__private::ChildFacts =
                    sv::__private::ChildFacts::tree(<Self as sv::__private::SupervisorTree>::ID);

                fn child_spec() -> sv::__private::ChildSpec {
                    sv::__private::nested_tree(<Self as sv::__private::SupervisorTree>::spec())
                }
            }

            #[allow(dead_code)]
            fn fields_are_declarations(tree: &App) {
                let _ = (&tree.api, &tree.ingest,);
            }

            const CHILDREN: [sv::__private::ChildFacts; 2usize] = [
                <api as sv::__private::Child>::FACTS,
                <Ingest as sv::__private::Child>::FACTS
                    .shutdown(sv::__private::ShutdownPolicy::Timeout(
                        sv::__private::Duration::from_secs(1)
                    ))
            ];
            const FIELDS: [&str; 2usize] = ["api", "ingest"];

            const _: () = if let sv::__private::Option::Some(defect) =
                sv::__private::TreeCheck::new("duplicate_child_id", sv::__private::Key::Id)
                    .run(&CHILDREN, &FIELDS, "App", 0usize)
            {
                sv::__private::panic!("{}", defect.as_str())
            };
            const _: () = if let sv::__private::Option::Some(defect) =
                sv::__private::TreeCheck::new("primary_is_sidecar", sv::__private::Key::Primary)
                    .run(&CHILDREN, &FIELDS, "App", 0usize)
            {
                sv::__private::panic!("{}", defect.as_str())
            };
            const _: () = if let sv::__private::Option::Some(defect) =
                sv::__private::TreeCheck::new("primary_not_in_tree", sv::__private::Key::Primary)
                    .run(&CHILDREN, &FIELDS, "App", 0usize)
            {
                sv::__private::panic!("{}", defect.as_str())
            };
            const _: () = if let sv::__private::Option::Some(defect) =
                sv::__private::TreeCheck::new("primary_starts_after", sv::__private::Key::Primary)
                    .run(&CHILDREN, &FIELDS, "App", 0usize)
            {
                sv::__private::panic!("{}", defect.as_str())
            };
            const _: () = if let sv::__private::Option::Some(defect) =
                sv::__private::TreeCheck::new("duplicate_child_id", sv::__private::Key::Id)
                    .run(&CHILDREN, &FIELDS, "App", 1usize)
            {
                sv::__private::panic!("{}", defect.as_str())
            };
            const _: () = if let sv::__private::Option::Some(defect) =
                sv::__private::TreeCheck::new("primary_is_sidecar", sv::__private::Key::Primary)
                    .run(&CHILDREN, &FIELDS, "App", 1usize)
            {
                sv::__private::panic!("{}", defect.as_str())
            };
            const _: () = if let sv::__private::Option::Some(defect) =
                sv::__private::TreeCheck::new("primary_not_in_tree", sv::__private::Key::Primary)
                    .run(&CHILDREN, &FIELDS, "App", 1usize)
            {
                sv::__private::panic!("{}", defect.as_str())
            };
            const _: () = if let sv::__private::Option::Some(defect) =
                sv::__private::TreeCheck::new("primary_starts_after", sv::__private::Key::Primary)
                    .run(&CHILDREN, &FIELDS, "App", 1usize)
            {
                sv::__private::panic!("{}", defect.as_str())
            };
        };
    };
    assert_expands(actual, expected);
}

#[test]
fn the_marker_exists_and_hides_as_its_fn_does() {
    let fn_item = quote! {
        #[cfg(feature = "probes")]
        #[doc(hidden)]
        #[deprecated]
        #[inline]
        async fn probe() {}
    };
    let output = crate::supervised::expand(TokenStream::new(), fn_item);
    let file: syn::File = syn::parse2(output).unwrap();
    let attributes = |attrs: &[syn::Attribute]| -> Vec<String> {
        attrs
            .iter()
            .map(|attr| quote!(#attr).to_string())
            .filter(|attr| !attr.starts_with("# [doc =") && !attr.starts_with("# [derive"))
            .collect()
    };
    let marker = file.items.iter().find_map(|item| match item {
        syn::Item::Struct(marker) => Some(attributes(&marker.attrs)),
        _ => None,
    });
    assert_eq!(
        marker.unwrap(),
        [
            "# [cfg (feature = \"probes\")]",
            "# [doc (hidden)]",
            "# [allow (non_camel_case_types , dead_code)]"
        ]
    );
    let impl_block = file.items.iter().find_map(|item| match item {
        syn::Item::Const(block) => Some(attributes(&block.attrs)),
        _ => None,
    });
    assert_eq!(
        impl_block.unwrap(),
        ["# [cfg (feature = \"probes\")]", "# [allow (deprecated)]"]
    );
}
