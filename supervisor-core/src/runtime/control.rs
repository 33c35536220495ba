//! Requests from handles: snapshot, add, remove, restart, stop, start.

use std::sync::Arc;

use super::{
    ControlError,
    handle::{Command, LocalSnapshot},
    stopping::StopCause,
    supervisor_loop::SupervisorLoop,
    table::ChildKey,
};
use crate::{
    event::EventKind,
    rules,
    snapshot::{ChildState, TreeSnapshot},
    spec::{ChildSpec, SupervisorSpec},
    testing::Footprint,
};

impl SupervisorLoop {
    pub(super) async fn on_command(&mut self, command: Command) {
        match command {
            Command::Snapshot(reply) => {
                let _ = reply.send(self.local_snapshot());
            }
            Command::AddChild(spec, reply) => {
                let _ = reply.send(self.add_child(*spec));
            }
            Command::RemoveChild(id, reply) => {
                let _ = reply.send(self.remove_child(&id).await);
            }
            Command::RestartChild(id, reply) => {
                let _ = reply.send(self.restart_child(&id).await);
            }
            Command::StopChild(id, reply) => {
                let _ = reply.send(self.stop_child(&id).await);
            }
            Command::StartChild(id, reply) => {
                let _ = reply.send(self.start_child(&id));
            }
            Command::Footprint(reply) => {
                let _ = reply.send(self.footprint());
            }
            Command::Reconfigure(spec, reply) => {
                self.reconfigure(*spec);
                let _ = reply.send(Ok(()));
            }
            Command::Ping(reply) => {
                let _ = reply.send(());
            }
            Command::Stall(period) => tokio::time::sleep(period).await,
            Command::RejectConfig(reason) => {
                tracing::warn!(%reason, "config reload refused; the policies in force stay");
                self.emit_own(EventKind::ReconfigureRejected { reason });
            }
        }
    }

    /// Takes the policies of `spec` for the decisions to come; see
    /// [`SupervisorHandle::reconfigure`](crate::SupervisorHandle::reconfigure).
    fn reconfigure(&mut self, spec: SupervisorSpec) {
        self.strategy = spec.strategy;
        self.auto_shutdown = spec.auto_shutdown;
        self.window.set_limit(spec.restart_limit);
        for child in &spec.children {
            let Some(key) = self.table.key_of(&child.id) else {
                continue;
            };
            let Some(slot) = self.slot_mut(key) else {
                continue;
            };
            let nested = slot.reconfigure(child);
            let running = slot.instance.as_ref().and_then(|i| i.nested.as_ref());
            if let (Some(tree), Some(handle)) = (nested, running) {
                handle.forward_reconfigure(tree);
            }
        }
        tracing::info!("new policies applied");
        self.emit_own(EventKind::Reconfigured);
    }

    fn local_snapshot(&self) -> LocalSnapshot {
        let mut children = Vec::with_capacity(self.table.len());
        let mut nested = Vec::new();
        for (key, slot) in self.table.iter() {
            if let Some(handle) = slot.instance.as_ref().and_then(|i| i.nested.clone()) {
                nested.push((children.len(), handle));
            }
            children.push(slot.snapshot(self.starts.holds(key)));
        }
        LocalSnapshot { children, nested }
    }

    fn footprint(&self) -> Footprint {
        let (slots, free_slots, order, ids) = self.table.sizes();
        Footprint {
            children: self.table.len(),
            slots,
            free_slots,
            order,
            ids,
            pending: self.starts.sizes().0,
            gates: self.starts.sizes().1,
            timers: self.timers.len(),
            running: self
                .table
                .iter()
                .filter(|(_, slot)| slot.instance.is_some())
                .count(),
            deferred: self.deferred.len(),
        }
    }

    /// The tree as it was left: every child stopped, nested trees with the
    /// final state they reported.
    pub(super) fn final_snapshot(&self) -> TreeSnapshot {
        TreeSnapshot {
            path: Arc::clone(&self.path),
            children: self
                .table
                .iter()
                .map(|(_, slot)| slot.snapshot(false))
                .collect(),
        }
    }

    fn key_of(&self, id: &str) -> Result<ChildKey, ControlError> {
        self.table
            .key_of(id)
            .ok_or_else(|| ControlError::UnknownChild { id: id.to_owned() })
    }

    fn add_child(&mut self, spec: ChildSpec) -> Result<(), ControlError> {
        let sibling_role = |id: &str| {
            let key = self.table.key_of(id)?;
            self.slot(key).map(|slot| slot.role)
        };
        rules::check_addition(&self.path, &spec, sibling_role)
            .map_err(ControlError::InvalidSpec)?;
        let key = self.insert(spec);
        self.emit_for(key, EventKind::ChildAdded);
        self.pump_starts();
        Ok(())
    }

    /// The child and its sidecars, in reverse start order.
    fn with_sidecars_reversed(&self, key: ChildKey) -> Vec<ChildKey> {
        let mut members = self
            .slot(key)
            .map(|slot| slot.sidecars().to_vec())
            .unwrap_or_default();
        members.retain(|&sidecar| self.slot(sidecar).is_some());
        members.reverse();
        members.push(key);
        members
    }

    async fn stop_with_sidecars(&mut self, key: ChildKey, cause: StopCause) -> Vec<ChildKey> {
        let members = self.with_sidecars_reversed(key);
        self.stop_members(members.iter().copied(), cause).await;
        members
    }

    async fn remove_child(&mut self, id: &str) -> Result<(), ControlError> {
        let key = self.key_of(id)?;
        let members = self.stop_with_sidecars(key, StopCause::Stop).await;
        for member in members {
            self.emit_for(member, EventKind::ChildRemoved);
            if let Some(slot) = self.table.remove(member) {
                self.unlink_sidecar(slot.primary(), member);
            }
        }
        self.pump_starts();
        self.timers.compact();
        Ok(())
    }

    fn unlink_sidecar(&mut self, primary: Option<ChildKey>, key: ChildKey) {
        if let Some(primary) = primary.and_then(|primary| self.slot_mut(primary)) {
            primary.remove_sidecar(key);
        }
    }

    async fn restart_child(&mut self, id: &str) -> Result<(), ControlError> {
        let key = self.key_of(id)?;
        let members = self.stop_with_sidecars(key, StopCause::Operator).await;
        self.enqueue(&members, ChildState::Stopped);
        self.pump_starts();
        Ok(())
    }

    async fn stop_child(&mut self, id: &str) -> Result<(), ControlError> {
        let key = self.key_of(id)?;
        self.stop_with_sidecars(key, StopCause::Stop).await;
        self.pump_starts();
        Ok(())
    }

    fn start_child(&mut self, id: &str) -> Result<(), ControlError> {
        let key = self.key_of(id)?;
        if self
            .slot(key)
            .is_some_and(|slot| slot.state != ChildState::Stopped)
        {
            return Err(ControlError::AlreadyRunning { id: id.to_owned() });
        }
        let members = self.with_sidecars_reversed(key);
        self.enqueue(&members, ChildState::Stopped);
        self.pump_starts();
        Ok(())
    }
}
