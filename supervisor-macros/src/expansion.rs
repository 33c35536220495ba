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
            impl<SupervisorState> sv::__private::TreeSpec<SupervisorState> for App
            where
                api: sv::__private::ChildOf<SupervisorState>,
                Ingest: sv::__private::ChildOf<SupervisorState>,
            {
                fn tree_spec(state: &SupervisorState) -> sv::__private::SupervisorSpec {
                    let _ = state;
                    sv::__private::SupervisorSpec::new(<Self as sv::__private::Child>::ID)
                        .strategy(sv::__private::Strategy::RestForOne)
                        .child(<api as sv::__private::ChildOf<SupervisorState>>::child_spec(state))
                        .child(
                            <Ingest as sv::__private::ChildOf<SupervisorState>>::child_spec(state)
                                .shutdown(sv::__private::ShutdownPolicy::Timeout(
                                    sv::__private::Duration::from_secs(1)
                                ))
                        )
                }
            }

            impl sv::__private::Child for App {
                const ID: &'static str = "app";
                const ROLE: sv::__private::TaskRole = sv::__private::TaskRole::Supervisor;
                const PRIMARY: sv::__private::Option<&'static str> = sv::__private::Option::None;
                const FACTS: sv::__private::ChildFacts =
                    sv::__private::ChildFacts::tree(<Self as sv::__private::Child>::ID);
            }

            impl<SupervisorState> sv::__private::ChildOf<SupervisorState> for App
            where
                App: sv::__private::TreeSpec<SupervisorState>,
            {
                fn child_spec(state: &SupervisorState) -> sv::__private::ChildSpec {
                    sv::__private::nested_tree(
                        <App as sv::__private::TreeSpec<SupervisorState>>::tree_spec(state)
                    )
                }
            }

            impl sv::__private::SupervisorTree for App
            where
                for<'root> App: sv::__private::TreeSpec<()>,
            {
                const ID: &'static str = <Self as sv::__private::Child>::ID;

                fn spec() -> sv::__private::SupervisorSpec {
                    <App as sv::__private::TreeSpec<()>>::tree_spec(&())
                }
            }

            impl App {
                #[doc = "The spec of the tree `App` at the root, where its state is `()`: the `SupervisorTree::spec()` of a tree without `#[supervisor(state = ...)]`."]
                #[must_use]
                fn spec() -> sv::__private::SupervisorSpec
                where
                    for<'root> App: sv::__private::TreeSpec<()>,
                {
                    <App as sv::__private::TreeSpec<()>>::tree_spec(&())
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
fn a_child_that_takes_state_expands_to_child_and_child_of_impls() {
    let fn_item = quote! {
        async fn api(ctx: ChildContext, State(db): State<Db>) -> Result<(), std::io::Error> {
            let _ = db;
            ctx.cancelled().await;
            Ok(())
        }
    };
    let actual = crate::supervised::expand(quote!(role = "service"), fn_item.clone());
    let expected = quote! {
        #fn_item

        #[doc = "The child declared by `#[supervised]` on the async fn `api`: its `ChildOf::child_spec(&state)` is the child's spec in a tree whose state is `state`."]
        #[allow(non_camel_case_types, dead_code)]
        #[derive(
            ::supervisor::__private::Debug,
            ::supervisor::__private::Clone,
            ::supervisor::__private::Copy
        )]
        struct api {}

        #[allow(deprecated)]
        const _: () = {
            impl ::supervisor::__private::Child for api {
                const ID: &'static str = "api";
                const ROLE: ::supervisor::__private::TaskRole =
                    ::supervisor::__private::TaskRole::Service;
                const PRIMARY: ::supervisor::__private::Option<&'static str> =
                    ::supervisor::__private::Option::None;
                const FACTS: ::supervisor::__private::ChildFacts =
                    ::supervisor::__private::ChildFacts::task(
                        <Self as ::supervisor::__private::Child>::ID,
                        <Self as ::supervisor::__private::Child>::ROLE,
                        <Self as ::supervisor::__private::Child>::PRIMARY,
                        ::supervisor::__private::TaskShape::WithContext
                    );
            }

            impl api {
                #[doc(hidden)]
                #[must_use]
                fn supervisor_child_spec<SupervisorState>(state: &SupervisorState) -> ::supervisor::__private::ChildSpec
                where
                    SupervisorState: ::supervisor::__private::TreeState,
                    Db: ::supervisor::__private::StateArgument<SupervisorState, api>,
                {
                    let state = ::supervisor::__private::Clone::clone(state);
                    ::supervisor::__private::ChildSpec::declared(
                        <Self as ::supervisor::__private::Child>::ID,
                        <Self as ::supervisor::__private::Child>::ROLE
                    )
                    .with_factory(
                        ::supervisor::__private::task_with_context::<Result<(), std::io::Error>, ChildContext, _, _>({
                            let task = api;
                            move |ctx| task(
                                ctx,
                                ::supervisor::__private::State(
                                    <Db as ::supervisor::__private::FromState<SupervisorState>>::from_state(&state)
                                )
                            )
                        })
                    )
                }
            }

            impl<SupervisorState> ::supervisor::__private::ChildOf<SupervisorState> for api
            where
                SupervisorState: ::supervisor::__private::TreeState,
                Db: ::supervisor::__private::StateArgument<SupervisorState, api>,
            {
                fn child_spec(state: &SupervisorState) -> ::supervisor::__private::ChildSpec {
                    api::supervisor_child_spec(state)
                }
            }
        };
    };
    assert_expands(actual, expected);
}

#[test]
fn a_tree_with_state_expands_to_stateful_tree_and_child_of_impls() {
    let input = quote! {
        #[supervisor(state = AppState, crate = "sv")]
        struct App {
            api: api,
        }
    };
    let actual = crate::tree::expand(input);
    let expected = quote! {
        #[allow(deprecated)]
        const _: () = {
            use sv::__private::ChildSpecIn as _;

            impl sv::__private::StatefulTree for App {
                type State = AppState;

                fn spec_with(state: <App as sv::__private::StatefulTree>::State) -> sv::__private::SupervisorSpec {
                    let _ = &state;
                    sv::__private::SupervisorSpec::new(<Self as sv::__private::Child>::ID)
                        .child(
                            <api>::supervisor_child_spec::< <App as sv::__private::StatefulTree>::State>(&state)
                        )
                }
            }

            impl sv::__private::Child for App {
                const ID: &'static str = "app";
                const ROLE: sv::__private::TaskRole = sv::__private::TaskRole::Supervisor;
                const PRIMARY: sv::__private::Option<&'static str> = sv::__private::Option::None;
                const FACTS: sv::__private::ChildFacts =
                    sv::__private::ChildFacts::tree(<Self as sv::__private::Child>::ID);
            }

            impl App {
                #[doc(hidden)]
                #[must_use]
                fn supervisor_child_spec<SupervisorState>(state: &SupervisorState) -> sv::__private::ChildSpec
                where
                    <App as sv::__private::StatefulTree>::State: sv::__private::NestedState<SupervisorState, App>,
                {
                    let state = < <App as sv::__private::StatefulTree>::State as sv::__private::FromState<SupervisorState>>::from_state(state);
                    sv::__private::nested_tree(<App as sv::__private::StatefulTree>::spec_with(state))
                }
            }

            impl<SupervisorState> sv::__private::ChildOf<SupervisorState> for App
            where
                <App as sv::__private::StatefulTree>::State: sv::__private::NestedState<SupervisorState, App>,
            {
                fn child_spec(state: &SupervisorState) -> sv::__private::ChildSpec {
                    App::supervisor_child_spec(state)
                }
            }

            #[allow(dead_code)]
            fn fields_are_declarations(tree: &App) {
                let _ = (&tree.api,);
            }

            const CHILDREN: [sv::__private::ChildFacts; 1usize] = [<api as sv::__private::Child>::FACTS];
            const FIELDS: [&str; 1usize] = ["api"];

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
