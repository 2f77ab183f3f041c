//! The one engine behind every workflow's state machine: a table of rules, each saying which
//! action moves which states to which, who may take it, whether a written reason is required,
//! and which guards (conditions beyond the state: a date reached, the provider still
//! referenced) must hold. Each workflow declares its table and words its own refusals.

/// A condition a rule requires, checked against facts the workflow gathers.
pub trait Guard: Copy + PartialEq + 'static {
    type Facts;
    fn holds(self, facts: &Self::Facts) -> bool;
}

/// The guard of workflows that have none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoGuard {}

impl Guard for NoGuard {
    type Facts = ();
    fn holds(self, _: &()) -> bool {
        match self {}
    }
}

/// One row of a workflow's table.
pub struct Rule<A: 'static, S: 'static, P: 'static, G: 'static = NoGuard> {
    pub action: A,
    pub from: &'static [S],
    pub to: S,
    pub party: P,
    pub reason_required: bool,
    pub guards: &'static [G],
}

/// Why a table refuses a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal<P> {
    /// The action belongs to another party.
    WrongParty(P),
    /// The action does not start from the current state.
    WrongState,
}

/// A workflow's rules.
pub struct Table<A: 'static, S: 'static, P: 'static, G: 'static = NoGuard>(
    pub &'static [Rule<A, S, P, G>],
);

impl<A, S, P, G> Table<A, S, P, G>
where
    A: Copy + PartialEq,
    S: Copy + PartialEq,
    P: Copy + PartialEq,
    G: Guard,
{
    /// The rule of `action` (a table has one per action).
    pub fn rule(&self, action: A) -> Option<&'static Rule<A, S, P, G>> {
        self.0.iter().find(|r| r.action == action)
    }

    /// Where `action` leads from `from` when `party` takes it, and whether a reason is required.
    /// The party is checked first: who may act says more than the state it is in.
    pub fn transition(&self, from: S, action: A, party: P) -> Result<(S, bool), Refusal<P>> {
        let rule = self.rule(action).ok_or(Refusal::WrongState)?;
        if rule.party != party {
            return Err(Refusal::WrongParty(rule.party));
        }
        if !rule.from.contains(&from) {
            return Err(Refusal::WrongState);
        }
        Ok((rule.to, rule.reason_required))
    }

    /// The actions `party` can take from `from` (the buttons a page shows), in table order.
    pub fn available(&self, from: S, party: P) -> Vec<A> {
        self.0
            .iter()
            .filter(|r| r.party == party && r.from.contains(&from))
            .map(|r| r.action)
            .collect()
    }

    pub fn reason_required(&self, action: A) -> bool {
        self.rule(action).is_some_and(|r| r.reason_required)
    }

    /// The first guard of `action` that does not hold on `facts`, in table order.
    pub fn unmet_guard(&self, action: A, facts: &G::Facts) -> Option<G> {
        self.rule(action)?
            .guards
            .iter()
            .copied()
            .find(|g| !g.holds(facts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Door {
        Open,
        Shut,
        Locked,
    }

    const DOOR: Table<&str, Door, char> = Table(&[
        Rule {
            action: "shut",
            from: &[Door::Open],
            to: Door::Shut,
            party: 'a',
            reason_required: false,
            guards: &[],
        },
        Rule {
            action: "lock",
            from: &[Door::Shut],
            to: Door::Locked,
            party: 'k',
            reason_required: true,
            guards: &[],
        },
    ]);

    #[test]
    fn a_rule_moves_only_its_states_for_its_party() {
        assert_eq!(
            DOOR.transition(Door::Open, "shut", 'a'),
            Ok((Door::Shut, false))
        );
        assert_eq!(
            DOOR.transition(Door::Shut, "lock", 'k'),
            Ok((Door::Locked, true))
        );
        assert_eq!(
            DOOR.transition(Door::Open, "lock", 'k'),
            Err(Refusal::WrongState)
        );
        assert_eq!(
            DOOR.transition(Door::Open, "lock", 'a'),
            Err(Refusal::WrongParty('k'))
        );
        assert_eq!(
            DOOR.transition(Door::Open, "open", 'a'),
            Err(Refusal::WrongState)
        );
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Key {
        Held,
        Fits,
    }

    impl Guard for Key {
        type Facts = (bool, bool);
        fn holds(self, &(held, fits): &(bool, bool)) -> bool {
            match self {
                Key::Held => held,
                Key::Fits => fits,
            }
        }
    }

    const LOCK: Table<&str, Door, char, Key> = Table(&[Rule {
        action: "lock",
        from: &[Door::Shut],
        to: Door::Locked,
        party: 'k',
        reason_required: false,
        guards: &[Key::Held, Key::Fits],
    }]);

    #[test]
    fn guards_are_checked_in_table_order() {
        assert_eq!(LOCK.unmet_guard("lock", &(true, true)), None);
        assert_eq!(LOCK.unmet_guard("lock", &(false, false)), Some(Key::Held));
        assert_eq!(LOCK.unmet_guard("lock", &(true, false)), Some(Key::Fits));
        assert_eq!(LOCK.unmet_guard("open", &(false, false)), None);
    }

    #[test]
    fn available_lists_what_a_party_can_do_now() {
        assert_eq!(DOOR.available(Door::Open, 'a'), vec!["shut"]);
        assert!(DOOR.available(Door::Open, 'k').is_empty());
        assert!(DOOR.reason_required("lock"));
        assert!(!DOOR.reason_required("shut"));
    }
}
