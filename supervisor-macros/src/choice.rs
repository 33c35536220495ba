//! Keys whose value is one name out of a fixed list (`role = "service"`),
//! each mapped to the runtime enum variant it stands for.

use proc_macro2::TokenStream;
use quote::quote;

use crate::value::{Key, RawValue, string};

/// A value picked by name from a fixed list.
pub(crate) trait Choice: Copy + Sized + 'static {
    /// Every name and what it stands for.
    const ALL: &'static [(&'static str, Self)];

    /// The runtime value, through the facade's support module.
    fn tokens(self, support: &TokenStream) -> TokenStream;
}

/// Reads `key = "name"` where the name is one of `T::ALL`.
pub(crate) fn read<T: Choice>(key: &Key, raw: RawValue) -> syn::Result<T> {
    let names: Vec<&str> = T::ALL.iter().map(|(name, _)| *name).collect();
    let listed = names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>();
    let example = format!("{} = \"{}\"", key.name, names[0]);
    let text = string(key, raw, &example)?;
    let value = text.value();
    match T::ALL.iter().find(|(name, _)| *name == value) {
        Some((_, choice)) => Ok(*choice),
        None => {
            let suggestion = crate::suggest::closest(&value, &names)
                .map(|name| format!("; did you mean \"{name}\"?"))
                .unwrap_or_default();
            Err(syn::Error::new(
                text.span(),
                format_args!(
                    "unknown {} \"{value}\"{suggestion} (expected {})",
                    key.name,
                    listed.join(", ")
                ),
            ))
        }
    }
}

macro_rules! choices {
    ($($(#[$doc:meta])* $name:ident => $runtime:ident { $($variant:ident = $text:literal,)* })*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        pub(crate) enum $name { $($variant,)* }

        impl Choice for $name {
            const ALL: &'static [(&'static str, Self)] = &[$(($text, $name::$variant),)*];

            fn tokens(self, support: &TokenStream) -> TokenStream {
                match self {
                    $($name::$variant => quote!(#support::$runtime::$variant),)*
                }
            }
        }

    )*};
}

choices! {
    /// `role = ...` of a child.
    Role => TaskRole {
        Service = "service",
        Worker = "worker",
        Job = "job",
        Sidecar = "sidecar",
        Supervisor = "supervisor",
    }
    /// `restart = ...` of a child.
    Restart => RestartPolicy {
        Permanent = "permanent",
        Transient = "transient",
        Temporary = "temporary",
    }
    /// `severity = ...` of a child.
    Severity => Severity {
        Critical = "critical",
        Standard = "standard",
        Optional = "optional",
    }
    /// `strategy = ...` of a tree.
    Strategy => Strategy {
        OneForOne = "one_for_one",
        OneForAll = "one_for_all",
        RestForOne = "rest_for_one",
    }
    /// `auto_shutdown = ...` of a tree.
    AutoShutdown => AutoShutdown {
        Never = "never",
        AnySignificant = "any_significant",
        AllSignificant = "all_significant",
    }
}

impl Role {
    /// The role as the rule table knows it.
    pub(crate) fn fact(self) -> supervisor_rules::Role {
        use supervisor_rules::Role as Fact;
        match self {
            Role::Service => Fact::Service,
            Role::Worker => Fact::Worker,
            Role::Job => Fact::Job,
            Role::Sidecar => Fact::Sidecar,
            Role::Supervisor => Fact::Supervisor,
        }
    }
}

impl Restart {
    /// The policy as the rule table knows it.
    pub(crate) fn fact(self) -> supervisor_rules::Restart {
        use supervisor_rules::Restart as Fact;
        match self {
            Restart::Permanent => Fact::Permanent,
            Restart::Transient => Fact::Transient,
            Restart::Temporary => Fact::Temporary,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_restarts_map_to_the_facts_of_the_same_name() {
        for (name, role) in Role::ALL {
            assert_eq!(role.fact().as_str(), *name);
        }
        for (name, restart) in Restart::ALL {
            assert_eq!(restart.fact().as_str(), *name);
        }
    }
}
