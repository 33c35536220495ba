//! The spec's values as the rule table's facts.

use super::{Backoff, Facts, Limit, Restart, Role, Runs};
use crate::spec::{BackoffPolicy, ChildSpec, RestartLimit, RestartPolicy, TaskRole};

impl TaskRole {
    /// The role as the rules know it.
    pub(crate) const fn fact(self) -> Role {
        match self {
            TaskRole::Service => Role::Service,
            TaskRole::Worker => Role::Worker,
            TaskRole::Job => Role::Job,
            TaskRole::Sidecar => Role::Sidecar,
            TaskRole::Supervisor => Role::Supervisor,
        }
    }
}

impl RestartPolicy {
    /// The policy as the rules know it.
    pub(crate) const fn fact(self) -> Restart {
        match self {
            RestartPolicy::Permanent => Restart::Permanent,
            RestartPolicy::Transient => Restart::Transient,
            RestartPolicy::Temporary => Restart::Temporary,
        }
    }

    /// The policy the rules' `restart` stands for.
    pub(crate) const fn of_fact(restart: Restart) -> Self {
        match restart {
            Restart::Permanent => RestartPolicy::Permanent,
            Restart::Transient => RestartPolicy::Transient,
            Restart::Temporary => RestartPolicy::Temporary,
        }
    }
}

impl BackoffPolicy {
    /// The numbers the rules judge.
    pub(crate) const fn fact(&self) -> Backoff {
        Backoff {
            initial: self.initial,
            max: self.max,
            multiplier: self.multiplier,
            jitter: self.jitter,
        }
    }
}

impl RestartLimit {
    /// The numbers the rules judge.
    pub(crate) const fn fact(&self) -> Limit {
        Limit {
            max: self.max,
            within: self.within,
        }
    }
}

impl ChildSpec {
    /// Everything the rules read about this child but its siblings.
    pub(crate) fn facts(&self) -> Facts<'_> {
        let runs = match (self.task_factory(), &self.tree) {
            (Some(task), None) => Runs::Task {
                context: task.uses_context(),
            },
            (None, Some(_)) => Runs::Tree,
            (None, None) => Runs::Nothing,
            (Some(_), Some(_)) => Runs::TaskAndTree,
        };
        let mut facts = Facts::new(&self.id, self.role.fact(), runs);
        facts.restart = self.restart.map(RestartPolicy::fact);
        facts.significant = self.significant;
        facts.has_primary = self.primary.is_some();
        facts.backoff = self.backoff.as_ref().map(BackoffPolicy::fact);
        facts.restart_limit = self.restart_limit.as_ref().map(RestartLimit::fact);
        facts.timeout = self.timeout;
        facts.ready_timeout = self.ready_timeout;
        facts.heartbeat = self.heartbeat;
        facts.every = self.every;
        facts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_and_policy_maps_to_its_fact_of_the_same_name() {
        for role in TaskRole::ALL {
            assert_eq!(role.fact().as_str(), role.as_str());
        }
        for policy in [
            RestartPolicy::Permanent,
            RestartPolicy::Transient,
            RestartPolicy::Temporary,
        ] {
            assert_eq!(policy.fact().as_str(), policy.as_str());
            assert_eq!(RestartPolicy::of_fact(policy.fact()), policy);
        }
    }

    #[test]
    fn the_default_curve_is_the_rules_default() {
        assert_eq!(BackoffPolicy::DEFAULT.fact(), Backoff::DEFAULT);
    }
}
