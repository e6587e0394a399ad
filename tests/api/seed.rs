//! The demo workspace: volumes, history and the trial funnel's shape.

use entity::{TenantScoped, WorkspaceId, enums::*, *};
use pulse::seed::{self, DemoOutcome};
use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_demo_seed_creates_a_realistic_workspace_once() {
    let app = spawn_app().await;

    let first = seed::demo(&app.db).await.expect("seed the demo");
    let second = seed::demo(&app.db).await.expect("seed again");

    let DemoOutcome::Created(counts) = first else {
        panic!("the first run seeds")
    };
    assert!(matches!(second, DemoOutcome::AlreadyPresent));
    assert_eq!(
        (counts.organizations, counts.contacts, counts.deals),
        (500, 2000, 1500)
    );
    assert_eq!(counts.users, 5);
    assert!(counts.activities >= 1000 && counts.interactions >= 1000 && counts.tickets > 0);

    let db = &app.db;
    let acme = workspace::Entity::find_by_slug("acme")
        .one(db)
        .await
        .expect("query")
        .expect("acme exists");
    let ws = WorkspaceId(acme.id);

    let users = user::Entity::find_in(ws).all(db).await.expect("users");
    let mut roles: Vec<(String, Role)> = users.into_iter().map(|u| (u.email, u.role)).collect();
    roles.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        roles,
        [
            ("admin@acme.test".to_owned(), Role::Admin),
            ("manager@acme.test".to_owned(), Role::Manager),
            ("owner@acme.test".to_owned(), Role::Owner),
            ("rep@acme.test".to_owned(), Role::Member),
            ("viewer@acme.test".to_owned(), Role::Viewer),
        ]
    );

    let pipelines = pipeline::Entity::find_in(ws)
        .count(db)
        .await
        .expect("count");
    assert_eq!(pipelines, 2);
    for status in [DealStatus::Open, DealStatus::Won, DealStatus::Lost] {
        let n = deal::Entity::find_in(ws)
            .filter(deal::Column::Status.eq(status))
            .count(db)
            .await
            .expect("count");
        assert!(n > 100, "{n} {status:?} deals");
    }

    let now = chrono::Utc::now();
    let overdue = activity::Entity::find_in(ws)
        .filter(activity::Column::DoneAt.is_null())
        .filter(activity::Column::DueAt.lt(now))
        .count(db)
        .await
        .expect("count");
    let upcoming = activity::Entity::find_in(ws)
        .filter(activity::Column::DueAt.gt(now))
        .count(db)
        .await
        .expect("count");
    assert!(
        overdue > 0 && upcoming > 0,
        "{overdue} overdue, {upcoming} upcoming"
    );

    let changes = deal_stage_change::Entity::find_in(ws)
        .all(db)
        .await
        .expect("stage changes");
    let oldest = changes
        .iter()
        .map(|c| c.changed_at)
        .min()
        .expect("some history");
    assert!((now - oldest).num_days() >= 300, "history spans a year");

    for channel in [
        Channel::Email,
        Channel::Phone,
        Channel::Sms,
        Channel::Chat,
        Channel::Social,
        Channel::Website,
        Channel::InPerson,
        Channel::Event,
    ] {
        let n = interaction::Entity::find_in(ws)
            .filter(interaction::Column::Channel.eq(channel))
            .count(db)
            .await
            .expect("count");
        assert!(n > 0, "no {channel:?} interactions");
    }
}

#[tokio::test]
async fn about_half_of_the_trial_users_stop_after_database_setup_started() {
    let app = spawn_app().await;
    seed::demo(&app.db).await.expect("seed the demo");
    let acme = workspace::Entity::find_by_slug("acme")
        .one(&app.db)
        .await
        .expect("query")
        .expect("acme exists");
    let ws = WorkspaceId(acme.id);

    let reached = |name: &'static str| {
        let db = app.db.clone();
        async move {
            tracked_event::Entity::find_in(ws)
                .filter(tracked_event::Column::Name.eq(name))
                .count(&db)
                .await
                .expect("count")
        }
    };
    let started = reached("db_setup_started").await;
    let completed = reached("db_setup_completed").await;
    let trials = reached("trial_started").await;

    assert!(trials >= 300, "{trials} trials");
    let share = completed as f64 / started as f64;
    assert!(
        (0.4..=0.6).contains(&share),
        "{completed} of {started} completed database setup"
    );
}
