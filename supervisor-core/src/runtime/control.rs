//! Requests from handles: snapshot, add, remove, restart, stop, start.

use super::{
    ControlError,
    handle::{Command, LocalSnapshot},
    stopping::StopCause,
    tree::Tree,
};
use crate::{ChildSpec, ChildState, EventKind, rules};

impl Tree {
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
        }
    }

    fn local_snapshot(&self) -> LocalSnapshot {
        let mut children = Vec::with_capacity(self.ids.len());
        let mut nested = Vec::new();
        for (index, slot) in self.slots.iter().enumerate() {
            let Some(slot) = slot else {
                continue;
            };
            if let Some(handle) = slot.instance.as_ref().and_then(|i| i.nested.clone()) {
                nested.push((children.len(), handle));
            }
            children.push(slot.snapshot(self.gates.contains(&index)));
        }
        LocalSnapshot { children, nested }
    }

    fn index_of(&self, id: &str) -> Result<usize, ControlError> {
        self.ids
            .get(id)
            .copied()
            .ok_or_else(|| ControlError::UnknownChild { id: id.to_owned() })
    }

    fn add_child(&mut self, spec: ChildSpec) -> Result<(), ControlError> {
        let sibling_role = |id: &str| {
            let index = *self.ids.get(id)?;
            self.slot(index).map(|slot| slot.spec.role)
        };
        rules::check_addition(&self.path, &spec, sibling_role)
            .map_err(ControlError::InvalidSpec)?;
        let index = self.insert(spec);
        self.emit_for(index, EventKind::ChildAdded);
        self.pump_starts();
        Ok(())
    }

    /// The child and its sidecars, in reverse start order.
    fn with_sidecars_reversed(&self, index: usize) -> Vec<usize> {
        let mut members = self
            .slot(index)
            .map(|slot| slot.sidecars.clone())
            .unwrap_or_default();
        members.retain(|&sidecar| self.slot(sidecar).is_some());
        members.reverse();
        members.push(index);
        members
    }

    async fn stop_with_sidecars(&mut self, index: usize) -> Vec<usize> {
        let members = self.with_sidecars_reversed(index);
        self.stop_members(members.iter().copied(), StopCause::Stop)
            .await;
        members
    }

    async fn remove_child(&mut self, id: &str) -> Result<(), ControlError> {
        let index = self.index_of(id)?;
        let members = self.stop_with_sidecars(index).await;
        for member in members {
            self.emit_for(member, EventKind::ChildRemoved);
            if let Some(slot) = self.slots[member].take() {
                self.ids.remove(&slot.spec.id);
                self.unlink_sidecar(&slot.spec, member);
            }
        }
        self.pump_starts();
        Ok(())
    }

    fn unlink_sidecar(&mut self, spec: &ChildSpec, index: usize) {
        let Some(primary) = spec
            .primary
            .as_deref()
            .and_then(|id| self.ids.get(id))
            .copied()
        else {
            return;
        };
        if let Some(primary) = self.slot_mut(primary) {
            primary.sidecars.retain(|&sidecar| sidecar != index);
        }
    }

    async fn restart_child(&mut self, id: &str) -> Result<(), ControlError> {
        let index = self.index_of(id)?;
        let members = self.stop_with_sidecars(index).await;
        self.enqueue(&members, ChildState::Stopped);
        self.pump_starts();
        Ok(())
    }

    async fn stop_child(&mut self, id: &str) -> Result<(), ControlError> {
        let index = self.index_of(id)?;
        self.stop_with_sidecars(index).await;
        self.pump_starts();
        Ok(())
    }

    fn start_child(&mut self, id: &str) -> Result<(), ControlError> {
        let index = self.index_of(id)?;
        if self
            .slot(index)
            .is_some_and(|slot| slot.state != ChildState::Stopped)
        {
            return Err(ControlError::AlreadyRunning { id: id.to_owned() });
        }
        let members = self.with_sidecars_reversed(index);
        self.enqueue(&members, ChildState::Stopped);
        self.pump_starts();
        Ok(())
    }
}
