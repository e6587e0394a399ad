//! `search`: one ranked list across contacts, organizations, deals and
//! leads. Each kind the viewer may read is matched case-insensitively on its
//! names, e-mail, domain or title; exact matches rank before prefix matches
//! before substring matches.

use entity::{TenantScoped, contact, deal, lead, organization};
use sea_orm::{
    ColumnTrait, ConnectionTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait, Func},
};

use crate::{
    domain::access::{Action, Area, Viewer},
    error::{Error, Result},
};

/// One search result.
#[derive(Clone, Debug)]
pub enum Hit {
    /// A contact.
    Contact(contact::Model),
    /// An organization.
    Organization(organization::Model),
    /// A deal.
    Deal(deal::Model),
    /// A lead.
    Lead(lead::Model),
}

impl Hit {
    fn texts(&self) -> Vec<String> {
        match self {
            Hit::Contact(c) => vec![
                format!("{} {}", c.first_name, c.last_name),
                c.last_name.clone(),
                c.email.clone().unwrap_or_default(),
            ],
            Hit::Organization(o) => vec![o.name.clone(), o.domain.clone().unwrap_or_default()],
            Hit::Deal(d) => vec![d.title.clone()],
            Hit::Lead(l) => vec![l.title.clone()],
        }
    }

    /// 3 for an exact match of a name, 2 for a prefix, 1 for a substring.
    fn score(&self, needle: &str) -> u8 {
        self.texts()
            .iter()
            .map(|text| {
                let text = text.to_lowercase();
                if text == needle {
                    3
                } else if text.starts_with(needle) {
                    2
                } else {
                    u8::from(text.contains(needle))
                }
            })
            .max()
            .unwrap_or(0)
    }

    fn label(&self) -> String {
        self.texts()
            .into_iter()
            .next()
            .unwrap_or_default()
            .to_lowercase()
    }
}

fn like<C: sea_orm::ColumnTrait>(columns: &[C], pattern: &str) -> sea_orm::Condition {
    columns
        .iter()
        .fold(sea_orm::Condition::any(), |any, column| {
            any.add(Expr::expr(Func::lower(Expr::col(*column))).like(pattern))
        })
}

/// The best `limit` matches of `text` (at least 2 characters).
pub async fn search(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    text: &str,
    limit: u64,
) -> Result<Vec<Hit>> {
    let needle = text.trim().to_lowercase();
    if needle.chars().count() < 2 {
        return Err(Error::Validation(
            "search needs at least 2 characters".to_owned(),
        ));
    }
    let pattern = format!("%{}%", needle.replace('%', "\\%").replace('_', "\\_"));
    let mut hits = Vec::new();
    if viewer.allows(Area::Contacts, Action::Read) {
        let rows = contact::Entity::find_in(viewer.workspace)
            .filter(contact::Column::ArchivedAt.is_null())
            .filter(like(
                &[
                    contact::Column::FirstName,
                    contact::Column::LastName,
                    contact::Column::Email,
                ],
                &pattern,
            ))
            .limit(limit)
            .all(db)
            .await?;
        hits.extend(rows.into_iter().map(Hit::Contact));
    }
    if viewer.allows(Area::Organizations, Action::Read) {
        let rows = organization::Entity::find_in(viewer.workspace)
            .filter(organization::Column::ArchivedAt.is_null())
            .filter(like(
                &[organization::Column::Name, organization::Column::Domain],
                &pattern,
            ))
            .limit(limit)
            .all(db)
            .await?;
        hits.extend(rows.into_iter().map(Hit::Organization));
    }
    if viewer.allows(Area::Deals, Action::Read) {
        let rows = deal::Entity::find_in(viewer.workspace)
            .filter(deal::Column::ArchivedAt.is_null())
            .filter(like(&[deal::Column::Title], &pattern))
            .limit(limit)
            .all(db)
            .await?;
        hits.extend(rows.into_iter().map(Hit::Deal));
    }
    if viewer.allows(Area::Leads, Action::Read) {
        let rows = lead::Entity::find_in(viewer.workspace)
            .filter(lead::Column::ArchivedAt.is_null())
            .filter(like(&[lead::Column::Title], &pattern))
            .limit(limit)
            .all(db)
            .await?;
        hits.extend(rows.into_iter().map(Hit::Lead));
    }
    hits.sort_by_cached_key(|hit| (std::cmp::Reverse(hit.score(&needle)), hit.label()));
    hits.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(hits)
}

/// A page of leads.
pub async fn leads(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    status: Option<entity::enums::LeadStatus>,
    page: crate::domain::page::PageRequest,
) -> Result<crate::domain::page::Page<lead::Model>> {
    use sea_orm::ColumnTrait;
    viewer.require(Area::Leads, Action::Read)?;
    let mut query =
        lead::Entity::find_in(viewer.workspace).filter(lead::Column::ArchivedAt.is_null());
    if let Some(status) = status {
        query = query.filter(lead::Column::Status.eq(status));
    }
    crate::domain::page::load(db, query, lead::Column::Id, |l| l.id, page).await
}
