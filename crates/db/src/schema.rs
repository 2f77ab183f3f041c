//! Table definitions shared by both backends (kept in step with `migrations/sqlite` and
//! `migrations/postgres`; `tests/migrations.rs` checks the two trees agree).

diesel::table! {
    communes (code) {
        code -> Text,
        name -> Text,
        search_name -> Text,
        departement_code -> Text,
        parent_code -> Nullable<Text>,
        population -> Integer,
        latitude -> Double,
        longitude -> Double,
    }
}

diesel::table! {
    postcodes (postcode, commune_code) {
        postcode -> Text,
        commune_code -> Text,
        label -> Text,
    }
}

diesel::table! {
    geo_imports (id) {
        id -> BigInt,
        imported_at -> Timestamp,
        communes -> Integer,
        postcodes -> Integer,
        skipped -> Integer,
    }
}

diesel::table! {
    incident_types (code) {
        code -> Text,
        label -> Text,
        category -> Text,
        audiences -> Text,
        provider_can_help -> Bool,
        advice -> Text,
        redirections -> Text,
        position -> Integer,
    }
}

diesel::table! {
    providers (id) {
        id -> Text,
        legal_name -> Text,
        name -> Text,
        siret -> Text,
        address_line -> Text,
        postcode -> Text,
        commune_code -> Nullable<Text>,
        city -> Text,
        latitude -> Double,
        longitude -> Double,
        phone -> Text,
        email -> Text,
        website -> Nullable<Text>,
        description -> Text,
        audiences -> Text,
        remote -> Bool,
        zone_kind -> Text,
        zone_radius_km -> Nullable<Integer>,
        status -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        departement -> Text,
        search_text -> Nullable<Text>,
        sort_name -> Text,
    }
}

diesel::table! {
    provider_incident_types (provider_id, incident_code) {
        provider_id -> Text,
        incident_code -> Text,
    }
}

diesel::table! {
    provider_search_words (word, provider_id) {
        word -> Text,
        provider_id -> Text,
    }
}

diesel::table! {
    request_search_words (word, request_id) {
        word -> Text,
        request_id -> Text,
    }
}

diesel::table! {
    provider_zone_departements (provider_id, departement_code) {
        provider_id -> Text,
        departement_code -> Text,
    }
}

diesel::table! {
    labels (number) {
        number -> Text,
        provider_id -> Text,
        status -> Text,
        valid_from -> Date,
        valid_until -> Date,
        created_at -> Timestamp,
        suspension_cause -> Nullable<Text>,
        renewal_until -> Nullable<Date>,
        withdrawn_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    change_counters (name) {
        name -> Text,
        value -> BigInt,
        token -> BigInt,
    }
}

diesel::joinable!(postcodes -> communes (commune_code));
diesel::joinable!(provider_incident_types -> providers (provider_id));
diesel::joinable!(provider_zone_departements -> providers (provider_id));
diesel::joinable!(provider_search_words -> providers (provider_id));
diesel::joinable!(labels -> providers (provider_id));

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        display_name -> Text,
        password_hash -> Text,
        role -> Text,
        email_verified_at -> Nullable<Timestamp>,
        disabled -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        csrf_token -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    one_time_tokens (token_hash) {
        token_hash -> Text,
        purpose -> Text,
        user_id -> Nullable<Text>,
        email -> Text,
        provider_id -> Nullable<Text>,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    organisation_members (provider_id, user_id) {
        provider_id -> Text,
        user_id -> Text,
        is_owner -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    provider_documents (id) {
        id -> Text,
        provider_id -> Text,
        kind -> Text,
        filename -> Text,
        content_type -> Text,
        size_bytes -> Integer,
        sha256 -> Text,
        content -> Binary,
        uploaded_by -> Text,
        uploaded_at -> Timestamp,
        valid_until -> Nullable<Date>,
        renewal_asked_at -> Nullable<Timestamp>,
        issued_on -> Nullable<Date>,
    }
}

diesel::table! {
    charter_acceptances (provider_id, charter_version) {
        provider_id -> Text,
        charter_version -> Text,
        user_id -> Text,
        accepted_at -> Timestamp,
    }
}

diesel::table! {
    workflow_events (id) {
        id -> BigInt,
        subject_type -> Text,
        subject_id -> Text,
        actor_id -> Nullable<Text>,
        action -> Text,
        from_state -> Nullable<Text>,
        to_state -> Text,
        reason -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    change_requests (id) {
        id -> Text,
        provider_id -> Text,
        changes -> Text,
        status -> Text,
        reason -> Nullable<Text>,
        requested_by -> Text,
        requested_at -> Timestamp,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        template -> Text,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        give_up_at -> Timestamp,
        claimed_by -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        request_id -> Nullable<Text>,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(organisation_members -> users (user_id));
diesel::joinable!(organisation_members -> providers (provider_id));
diesel::joinable!(provider_documents -> providers (provider_id));
diesel::joinable!(change_requests -> providers (provider_id));
diesel::joinable!(workflow_events -> users (actor_id));

diesel::table! {
    charter_notifications (provider_id, charter_version) {
        provider_id -> Text,
        charter_version -> Text,
        notified_at -> Timestamp,
    }
}

diesel::joinable!(charter_notifications -> providers (provider_id));
diesel::joinable!(charter_acceptances -> providers (provider_id));

diesel::table! {
    label_applications (id) {
        id -> Text,
        provider_id -> Text,
        kind -> Text,
        status -> Text,
        label_number -> Nullable<Text>,
        criteria_version -> Text,
        fee_cents -> Integer,
        fee_status -> Text,
        auditor_id -> Nullable<Text>,
        audit_date -> Nullable<Date>,
        audit_round -> Integer,
        recommendation -> Nullable<Text>,
        corrective_deadline -> Nullable<Date>,
        decision_reason -> Nullable<Text>,
        version -> Integer,
        created_by -> Text,
        created_at -> Timestamp,
        submitted_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    label_answers (application_id, criterion) {
        application_id -> Text,
        criterion -> Text,
        answer -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    label_evidence (id) {
        id -> Text,
        application_id -> Text,
        criterion -> Text,
        filename -> Text,
        content_type -> Text,
        size_bytes -> Integer,
        content -> Binary,
        uploaded_by -> Text,
        uploaded_at -> Timestamp,
    }
}

diesel::table! {
    audit_findings (application_id, round, criterion) {
        application_id -> Text,
        round -> Integer,
        criterion -> Text,
        finding -> Text,
        comment -> Text,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    label_number_counters (year) {
        year -> Integer,
        last_number -> Integer,
    }
}

diesel::table! {
    label_reminders (label_number, valid_until, days_before) {
        label_number -> Text,
        valid_until -> Date,
        days_before -> Integer,
        sent_at -> Timestamp,
    }
}

diesel::joinable!(label_applications -> providers (provider_id));

diesel::table! {
    assistance_requests (id) {
        id -> Text,
        tracking_hash -> Text,
        status -> Text,
        postcode -> Nullable<Text>,
        commune_code -> Nullable<Text>,
        departement -> Nullable<Text>,
        latitude -> Double,
        longitude -> Double,
        approximate -> Bool,
        audience -> Text,
        incident_type -> Text,
        description -> Nullable<Text>,
        contact_name -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        contact_phone -> Nullable<Text>,
        consent -> Bool,
        chosen_provider_id -> Nullable<Text>,
        provider_id -> Nullable<Text>,
        failed_assignments -> Integer,
        staff_message -> Nullable<Text>,
        idempotency_key -> Nullable<Text>,
        client_hash -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        anonymised_at -> Nullable<Timestamp>,
        urgent -> Bool,
    }
}

diesel::table! {
    provider_on_call (provider_id) {
        provider_id -> Text,
        schedule -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    assistance_assignments (id) {
        id -> Text,
        request_id -> Text,
        provider_id -> Text,
        status -> Text,
        why -> Text,
        assigned_by -> Nullable<Text>,
        decline_reason -> Nullable<Text>,
        decline_text -> Nullable<Text>,
        offered_at -> Timestamp,
        expires_at -> Timestamp,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    provider_capacity (provider_id) {
        provider_id -> Text,
        capacity -> Integer,
        open_requests -> Integer,
    }
}

diesel::table! {
    provider_absences (id) {
        id -> Text,
        provider_id -> Text,
        starts_on -> Date,
        ends_on -> Date,
        created_at -> Timestamp,
    }
}

diesel::table! {
    intervention_reports (request_id) {
        request_id -> Text,
        provider_id -> Text,
        resolved -> Bool,
        confirmed_incident_type -> Text,
        attack_vector -> Text,
        actions_taken -> Text,
        minutes_spent -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    satisfaction_surveys (request_id) {
        request_id -> Text,
        provider_id -> Text,
        token_hash -> Text,
        rating -> Nullable<Integer>,
        comment -> Nullable<Text>,
        comment_status -> Nullable<Text>,
        sent_at -> Timestamp,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    service_secrets (name) {
        name -> Text,
        value -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(assistance_assignments -> assistance_requests (request_id));
diesel::joinable!(assistance_assignments -> providers (provider_id));
diesel::joinable!(satisfaction_surveys -> providers (provider_id));

diesel::table! {
    rate_events (id) {
        id -> Text,
        subject -> Text,
        happened_at -> Timestamp,
    }
}

diesel::table! {
    diagnostic_versions (version) {
        version -> Text,
        source -> Text,
        sha256 -> Text,
        published_at -> Timestamp,
        published_by -> Nullable<Text>,
    }
}

diesel::table! {
    diagnostic_journeys (id) {
        id -> Text,
        tree_version -> Text,
        channel -> Text,
        started_on -> Date,
        answers -> Text,
        audience -> Nullable<Text>,
        outcome -> Nullable<Text>,
        incident_type -> Nullable<Text>,
        urgency -> Nullable<Text>,
        departement -> Nullable<Text>,
        ending -> Nullable<Text>,
        partner -> Nullable<Text>,
        form_key -> Nullable<Text>,
    }
}

diesel::joinable!(diagnostic_journeys -> diagnostic_versions (tree_version));

diesel::table! {
    audit_drafts (application_id) {
        application_id -> Text,
        auditor_id -> Text,
        round -> Integer,
        content -> Text,
        saved_at -> Timestamp,
    }
}

diesel::table! {
    audit_reports (application_id) {
        application_id -> Text,
        filename -> Text,
        size_bytes -> Integer,
        content -> Binary,
        uploaded_by -> Text,
        uploaded_at -> Timestamp,
    }
}

diesel::table! {
    partner_figures (partner_id, year, subject, through_month) {
        partner_id -> Text,
        year -> Integer,
        through_month -> Integer,
        subject -> Text,
        cells -> Text,
        published_at -> Timestamp,
    }
}

diesel::table! {
    partners (id) {
        id -> Text,
        name -> Text,
        contact_name -> Text,
        contact_email -> Text,
        origins -> Text,
        scope -> Text,
        accent -> Nullable<Text>,
        state -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    partner_keys (id) {
        id -> Text,
        partner_id -> Text,
        prefix -> Text,
        digest -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(partner_keys -> partners (partner_id));
diesel::joinable!(partner_figures -> partners (partner_id));

diesel::table! {
    observatory_facts (id) {
        id -> BigInt,
        source_id -> Text,
        kind -> Text,
        occurred_on -> Date,
        audience -> Nullable<Text>,
        incident_type -> Nullable<Text>,
        category -> Nullable<Text>,
        departement -> Nullable<Text>,
        region -> Nullable<Text>,
        channel -> Text,
        partner -> Nullable<Text>,
        outcome -> Text,
        urgency -> Nullable<Text>,
        counted -> Bool,
        escalated -> Bool,
        minutes_to_acceptance -> Nullable<Integer>,
        confirmed_incident_type -> Nullable<Text>,
        revision -> BigInt,
    }
}

diesel::table! {
    observatory_signals (id) {
        id -> Text,
        incident_type -> Text,
        audience -> Text,
        since -> Date,
        last_day -> Date,
        method -> Text,
        observed -> BigInt,
        expected -> Double,
        detected_at -> Timestamp,
        threshold -> Nullable<Double>,
    }
}

diesel::table! {
    alerts (id) {
        id -> Text,
        title -> Text,
        body -> Text,
        incident_types -> Text,
        audiences -> Text,
        scope -> Text,
        scope_code -> Nullable<Text>,
        valid_from -> Timestamp,
        valid_until -> Timestamp,
        signal_id -> Nullable<Text>,
        published_by -> Text,
        published_at -> Timestamp,
        withdrawn_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    open_data_corrections (id) {
        id -> Text,
        month -> Text,
        note -> Text,
        asked_by -> Text,
        asked_at -> Timestamp,
        state -> Text,
        claimed_by -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
        attempts -> Integer,
        progress_phase -> Nullable<Text>,
        progress_round -> Integer,
        progress_done -> Integer,
        progress_of -> Integer,
        progress_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
        revision -> Nullable<Integer>,
        outcome -> Nullable<Text>,
    }
}

diesel::table! {
    open_data_releases (month, revision) {
        month -> Text,
        revision -> Integer,
        csv -> Text,
        sha256 -> Text,
        note -> Nullable<Text>,
        published_at -> Timestamp,
    }
}

diesel::joinable!(alerts -> observatory_signals (signal_id));

diesel::table! {
    content_versions (id) {
        id -> Text,
        path -> Text,
        number -> Nullable<Integer>,
        state -> Text,
        body -> Text,
        sha256 -> Text,
        base_body -> Text,
        note -> Text,
        author_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        submitted_at -> Nullable<Timestamp>,
        reviewer_id -> Nullable<Text>,
        reviewed_at -> Nullable<Timestamp>,
        review_comment -> Nullable<Text>,
        published_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    content_views (day, subject, kind) {
        day -> Date,
        subject -> Text,
        kind -> Text,
        count -> BigInt,
    }
}

diesel::table! {
    operators (user_id) {
        user_id -> Text,
        force -> Text,
        supervisor -> Bool,
        presence -> Text,
        capacity -> Integer,
        idle_since -> Timestamp,
        seen_at -> Timestamp,
    }
}

diesel::table! {
    chats (id) {
        id -> Text,
        token_hash -> Text,
        status -> Text,
        force -> Nullable<Text>,
        priority -> Integer,
        requeued -> Bool,
        operator_id -> Nullable<Text>,
        answered_force -> Nullable<Text>,
        request_id -> Nullable<Text>,
        journey_id -> Nullable<Text>,
        audience -> Nullable<Text>,
        incident_type -> Nullable<Text>,
        outcome -> Nullable<Text>,
        urgency -> Nullable<Text>,
        departement -> Nullable<Text>,
        summary -> Text,
        victim_email -> Nullable<Text>,
        channel -> Text,
        partner -> Nullable<Text>,
        client_hash -> Text,
        disposition -> Nullable<Text>,
        disposition_detail -> Nullable<Text>,
        offline -> Bool,
        queued_at -> Timestamp,
        created_at -> Timestamp,
        answered_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        erased_at -> Nullable<Timestamp>,
        version -> Integer,
    }
}

diesel::table! {
    chat_events (chat_id, seq) {
        chat_id -> Text,
        seq -> Integer,
        author -> Text,
        operator_id -> Nullable<Text>,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    chat_notes (id) {
        id -> Text,
        chat_id -> Text,
        operator_id -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    canned_responses (id) {
        id -> Text,
        title -> Text,
        body -> Text,
        updated_by -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(case_assignments -> users (user_id));
diesel::joinable!(case_notes -> users (author_id));
diesel::joinable!(case_messages -> users (author_id));

diesel::allow_tables_to_appear_in_same_query!(
    case_assignments,
    case_notes,
    case_messages,
    partners,
    partner_figures,
    audit_drafts,
    audit_reports,
    partner_keys,
    observatory_facts,
    observatory_signals,
    open_data_corrections,
    alerts,
    open_data_releases,
    diagnostic_versions,
    diagnostic_journeys,
    rate_events,
    communes,
    postcodes,
    geo_imports,
    incident_types,
    providers,
    provider_incident_types,
    provider_search_words,
    request_search_words,
    provider_zone_departements,
    labels,
    change_counters,
    users,
    sessions,
    one_time_tokens,
    organisation_members,
    provider_documents,
    charter_acceptances,
    workflow_events,
    change_requests,
    outbox,
    charter_notifications,
    label_applications,
    label_answers,
    label_evidence,
    audit_findings,
    label_number_counters,
    label_reminders,
    assistance_requests,
    assistance_assignments,
    provider_capacity,
    provider_absences,
    provider_on_call,
    operators,
    chats,
    chat_events,
    chat_notes,
    canned_responses,
    intervention_reports,
    satisfaction_surveys,
    service_secrets,
);

diesel::table! {
    case_assignments (kind, subject_id) {
        kind -> Text,
        subject_id -> Text,
        user_id -> Text,
        assigned_at -> Timestamp,
    }
}

diesel::table! {
    case_notes (id) {
        id -> Text,
        kind -> Text,
        subject_id -> Text,
        author_id -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    case_messages (id) {
        id -> Text,
        kind -> Text,
        subject_id -> Text,
        author_id -> Nullable<Text>,
        from_staff -> Bool,
        body -> Text,
        attachment_name -> Nullable<Text>,
        attachment_size -> Nullable<Integer>,
        attachment -> Nullable<Binary>,
        created_at -> Timestamp,
    }
}
