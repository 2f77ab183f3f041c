DROP TABLE partner_figures;
